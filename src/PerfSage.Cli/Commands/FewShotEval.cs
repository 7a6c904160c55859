using System.Globalization;
using System.Text.Json;
using PerfSage.Cli.Rendering;
using PerfSage.Model;
using PerfSage.Pipeline;
using Spectre.Console;

namespace PerfSage.Cli.Commands;

/// <summary>
/// <c>perfsage eval --few-shot 10,20,... --target NAME --from MODEL_DIR --data DIR... [--repeats R] [--seed S]
/// [--small-below-ms X] [--plot FILE.png] [--format table|json]</c>: per k and repeat, a new head for NAME/latency_ms is
/// fitted on k random labelled graphs over the model's frozen trunk (<see cref="FewShot"/>) and scored on all the rest,
/// beside the MAC-count baseline (<see cref="MacBaseline"/>) fitted on the same k graphs. Mean and standard deviation
/// over the repeats; with <c>--small-below-ms</c> also for the graphs measured below and at or above X ms.
/// </summary>
internal static class FewShotEval
{
    /// <summary>What the user asked for. <see cref="Target"/> is the target after family names are resolved;
    /// <see cref="Requested"/> the family name given, or null when <c>--target</c> named the target itself.</summary>
    public sealed record Request(
        string ModelDir, string[] DataDirs, string Target, int[] Ks, int Repeats, long Seed, double? SmallBelowMs,
        string? Plot, bool Json, HeadFitOptions Fit, int Threads)
    {
        public string? Requested { get; init; }

        /// <summary><c>--graph</c>: the graph variant to use, or null to choose per draw.</summary>
        public string? Graph { get; init; }
    }

    /// <summary>Parses <c>--few-shot</c>: comma-separated positive integers.</summary>
    public static int[] ParseKs(string text)
    {
        var ks = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k < 1)
            {
                throw new UserInputException($"--few-shot {text}: '{part}' is not a positive whole number; give k values such as 10,20,50,100,900");
            }
            ks.Add(k);
        }
        if (ks.Count == 0)
        {
            throw new UserInputException($"--few-shot '{text}': give at least one k, such as 10,20,50,100,900");
        }
        return [.. ks.Distinct().Order()];
    }

    public static int Run(CliContext context, Request r)
    {
        string dir = ModelLocator.Resolve(r.ModelDir);
        // The plot may not be a device, a folder, or a file of the model or the data it is made from.
        List<string> readFiles = OutputPaths.FilesIn([dir, .. r.DataDirs]);
        if (r.Plot is not null)
        {
            OutputPaths.CheckFile(r.Plot, readFiles, "--plot");
        }
        using var loading = new BackgroundModel<TrainedModel>(() => ModelFolder.Load(dir));
        using var interrupt = new Interrupt();
        LabelledData labelled = LabelledData.Load(r.DataDirs, r.Threads, context.Log, interrupt.Token, r.Graph, keepVariants: true);
        var plan = new FewShotPlan(r.Target, r.Ks, r.Repeats, r.Seed, r.SmallBelowMs, r.Fit);
        (FewShotResult result, IReadOnlyList<FewShotRow> rows) = FewShotEvaluation.Run(loading.Get, labelled, plan, r.DataDirs, context.Log, interrupt.Token);
        if (r.Plot is not null)
        {
            FewShotPlot.Write(r.Plot, rows.Select(w => (w.All, w.Baseline)).ToList(), $"{r.Target}: new head over {Path.GetFileName(Path.GetFullPath(dir))}",
                readFiles);
        }
        if (r.Json)
        {
            Output.WriteJson(context.Stdout, json => WriteJson(json, dir, r, result, rows));
        }
        else
        {
            WriteTable(context.Stdout, dir, r, result, rows);
        }
        return ExitCodes.Ok;
    }

    private static void WriteTable(TextWriter stdout, string dir, Request r, FewShotResult result, IReadOnlyList<FewShotRow> rows)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        stdout.WriteLine(string.Create(inv,
            $"few-shot new head {result.Head.Key} over the frozen trunk of {dir}: {result.Actual.Count} labelled graphs "
            + $"({result.UniqueGraphs} distinct), {result.SkippedWithoutOps} without operators left out; {r.Repeats} repeats, seed {r.Seed}"));
        Table table = Output.NewTable("k", "graphs", "predictor", "MAPE [%]", "within 10% [%]", "Spearman");
        void Add(string k, string graphs, string name, FewShotSummary? s)
        {
            Output.AddRow(table, k, graphs, name,
                s is null ? "-" : $"{Output.Num(s.MapePercent, 2)} ± {Output.Num(s.MapePercentStd, 2)}",
                s is null ? "-" : $"{Output.Num(s.Acc10Percent, 1)} ± {Output.Num(s.Acc10PercentStd, 1)}",
                s is null ? "-" : $"{Correlation(s.Spearman)} ± {Correlation(s.SpearmanStd)}");
        }
        foreach (FewShotRow row in rows)
        {
            string k = row.All.K.ToString(inv);
            Add(k, Output.Num(row.All.MeanCount, 0), "perfsage", row.All);
            Add("", "", "MAC baseline", row.Baseline);
            if (r.SmallBelowMs is double x)
            {
                string t = x.ToString("G", inv);
                Add("", row.Above is null ? "0" : Output.Num(row.Above.MeanCount, 0), $"perfsage, >= {t} ms", row.Above);
                Add("", "", $"MAC baseline, >= {t} ms", row.AboveBaseline);
                Add("", row.Below is null ? "0" : Output.Num(row.Below.MeanCount, 0), $"perfsage, < {t} ms", row.Below);
                Add("", "", $"MAC baseline, < {t} ms", row.BelowBaseline);
            }
        }
        Output.Write(stdout, table);
        stdout.WriteLine("mean ± standard deviation over the repeats; each repeat fits on k random graphs and scores all the others.");
        stdout.WriteLine($"MAC baseline: ln(latency) = a + b·ln(1 + MACs) + c·ln(op count), least squares on the same k graphs.");
        if (GraphCounts(result) is { Count: > 0 } chosen)
        {
            stdout.WriteLine("graph variant chosen per repeat from its k training labels only (" + GraphChooser.Folds + "-fold cross-validation): "
                + string.Join("; ", chosen.Select(c => $"k = {c.Key.ToString(inv)}: {string.Join(", ", c.Value.Select(v => $"{v.Key} {v.Value.ToString(inv)}"))}")));
        }
        if (r.Plot is not null)
        {
            stdout.WriteLine($"plot: {r.Plot}");
        }
    }

    /// <summary>Per k, how many repeats chose each graph variant (empty without a choice).</summary>
    internal static SortedDictionary<int, SortedDictionary<string, int>> GraphCounts(FewShotResult result)
    {
        var counts = new SortedDictionary<int, SortedDictionary<string, int>>();
        foreach (FewShotDraw d in result.Draws.Where(d => d.Graph is { Folds: > 0 }))
        {
            SortedDictionary<string, int> atK = counts.TryGetValue(d.K, out SortedDictionary<string, int>? c) ? c : counts[d.K] = new(StringComparer.Ordinal);
            atK[d.Graph!.Graph] = atK.GetValueOrDefault(d.Graph.Graph) + 1;
        }
        return counts;
    }

    private static string Correlation(double v) => double.IsFinite(v) ? Output.Num(v, 3) : "-";

    private static void WriteJson(Utf8JsonWriter json, string dir, Request r, FewShotResult result, IReadOnlyList<FewShotRow> rows)
    {
        json.WriteStartObject();
        json.WriteString("model", dir);
        json.WriteStartArray("data");
        foreach (string d in r.DataDirs)
        {
            json.WriteStringValue(d);
        }
        json.WriteEndArray();
        json.WriteString("target", result.Head.Target);
        if (r.Requested is not null)
        {
            json.WriteString("requested", r.Requested);
        }
        json.WriteString("metric", MetricNames.Name(result.Head.Metric));
        json.WriteNumber("labelled_count", result.Actual.Count);
        json.WriteNumber("unique_graphs", result.UniqueGraphs);
        json.WriteNumber("skipped_without_ops", result.SkippedWithoutOps);
        json.WriteNumber("repeats", r.Repeats);
        json.WriteNumber("seed", r.Seed);
        if (r.SmallBelowMs is double x)
        {
            json.WriteNumber("small_below_ms", x);
        }
        else
        {
            json.WriteNull("small_below_ms");
        }
        json.WriteStartObject("recipe");
        json.WriteString("layers", r.Fit.Layers.ToString().ToLowerInvariant());
        json.WriteNumber("all_layers_up_to", r.Fit.AllLayersUpTo);
        json.WriteNumber("steps", r.Fit.Steps);
        json.WriteNumber("learning_rate", r.Fit.LearningRate);
        json.WriteNumber("donor_pull", r.Fit.DonorPull);
        json.WriteEndObject();
        json.WriteString("baseline", "ln(latency) = a + b ln(1 + MACs) + c ln(op count), least squares on the same k graphs");
        json.WriteStartArray("results");
        foreach (FewShotRow row in rows)
        {
            json.WriteStartObject();
            json.WriteNumber("k", row.All.K);
            WriteScores(json, "", row.All, row.Baseline);
            if (GraphCounts(result).TryGetValue(row.All.K, out SortedDictionary<string, int>? graphs))
            {
                json.WriteStartObject("graphs");
                foreach ((string name, int count) in graphs)
                {
                    json.WriteNumber(name, count);
                }
                json.WriteEndObject();
            }
            if (r.SmallBelowMs is not null)
            {
                json.WriteStartObject("below");
                WriteScores(json, "", row.Below, row.BelowBaseline);
                json.WriteEndObject();
                json.WriteStartObject("at_or_above");
                WriteScores(json, "", row.Above, row.AboveBaseline);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteScores(Utf8JsonWriter json, string prefix, FewShotSummary? s, FewShotSummary? b)
    {
        json.WriteNumber(prefix + "test_count", s?.MeanCount ?? 0);
        Write(json, prefix, s);
        Write(json, prefix + "baseline_", b);
    }

    private static void Write(Utf8JsonWriter json, string prefix, FewShotSummary? s)
    {
        Number(json, prefix + "mape_pct", s?.MapePercent);
        Number(json, prefix + "acc10_pct", s?.Acc10Percent);
        Number(json, prefix + "spearman", s?.Spearman);
        Number(json, prefix + "mape_pct_std", s?.MapePercentStd);
        Number(json, prefix + "acc10_pct_std", s?.Acc10PercentStd);
        Number(json, prefix + "spearman_std", s?.SpearmanStd);
    }

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is double v && double.IsFinite(v))
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
