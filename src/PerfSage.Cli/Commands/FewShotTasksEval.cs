using System.Globalization;
using System.Text.Json;
using PerfSage.Model;
using PerfSage.Pipeline;
using Spectre.Console;

namespace PerfSage.Cli.Commands;

/// <summary>
/// <c>perfsage eval --tasks N0,F0,... --few-shot K --data DIR... [--from MODEL] [--repeats R] [--seed S] [--format table|json]</c>:
/// the published few-shot transfer tasks (<see cref="FewShotTasks"/>) on the dataset folders given (one per search space),
/// each number beside the MAC-count fit on the same k architectures. JSON: an array with one object per task.
/// </summary>
internal static class FewShotTasksEval
{
    /// <summary>What the user asked for.</summary>
    public sealed record Request(string ModelDir, string[] DataDirs, IReadOnlyList<FewShotTask> Tasks, FewShotTaskPlan Plan, bool Json, int Threads)
    {
        /// <summary><c>--graph</c>: the graph variant to use, or null to choose per device and draw.</summary>
        public string? Graph { get; init; }
    }

    public static int Run(CliContext context, Request r)
    {
        string dir = ModelLocator.Resolve(r.ModelDir);
        using var loading = new BackgroundModel<TrainedModel>(() => ModelFolder.Load(dir));
        using var interrupt = new Interrupt();
        LabelledData labelled = LabelledData.Load(r.DataDirs, r.Threads, context.Log, interrupt.Token, r.Graph, keepVariants: true);
        IReadOnlyList<FewShotTaskResult> results = FewShotTasks.Run(loading.Get, labelled, r.Tasks, r.Plan, context.Log, interrupt.Token);
        if (r.Json)
        {
            Output.WriteJson(context.Stdout, json => WriteJson(json, dir, r.Plan, results));
        }
        else
        {
            WriteTable(context.Stdout, dir, r.Plan, results);
        }
        return ExitCodes.Ok;
    }

    private static void WriteTable(TextWriter stdout, string dir, FewShotTaskPlan plan, IReadOnlyList<FewShotTaskResult> results)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        stdout.WriteLine(string.Create(inv,
            $"few-shot tasks over {dir}: k = {plan.K}, {plan.Repeats} repeats, seed {plan.Seed}; training devices get heads first, then each test device a new head from k random architectures, scored on all its others"));
        Table table = Output.NewTable("task", "device", "graphs", "Spearman (MAC fit)", "MAPE [%] (MAC fit)", "within 10% [%] (MAC fit)");
        foreach (FewShotTaskResult t in results)
        {
            if (t.Reason is not null)
            {
                Output.AddRow(table, t.Task.Name, "-", "-", "-", "-", "-");
            }
            foreach (FewShotTaskDevice d in t.Devices)
            {
                Output.AddRow(table, "", d.Device, Output.Num(d.LabelledCount),
                    $"{Corr(d.PerfSage.Spearman)} ({Corr(d.Baseline.Spearman)})",
                    $"{Num(d.PerfSage.MapePercent, 1)} ({Num(d.Baseline.MapePercent, 1)})",
                    $"{Num(d.PerfSage.Acc10Percent, 0)} ({Num(d.Baseline.Acc10Percent, 0)})");
            }
            if (t.Reason is null)
            {
                Output.AddRow(table, t.Task.Name, "mean", "",
                    $"{Corr(t.Spearman)} ({Corr(t.BaselineSpearman)})",
                    $"{Num(t.MapePercent, 1)} ({Num(t.BaselineMapePercent, 1)})",
                    $"{Num(t.Acc10Percent, 0)} ({Num(t.BaselineAcc10Percent, 0)})");
            }
        }
        Output.Write(stdout, table);
        foreach (FewShotTaskResult t in results)
        {
            string trained = t.TrainedOn.Count == 0 ? "no training device in the data" : "trained on " + string.Join(", ", t.TrainedOn);
            string missing = t.Missing.Count == 0 ? "" : "; missing from the data: " + string.Join(", ", t.Missing);
            stdout.WriteLine($"{t.Task.Name} ({t.Task.Space}): {trained}{missing}{(t.Reason is null ? "" : "; no scores: " + t.Reason)}");
        }
        stdout.WriteLine("MAC fit: ln(latency) = a + b·ln(1 + MACs) + c·ln(op count), least squares on the same k architectures.");
        foreach (FewShotTaskDevice d in results.SelectMany(t => t.Devices).Where(d => d.Graphs.Count > 0).DistinctBy(d => d.Device))
        {
            stdout.WriteLine($"{d.Device}: graph variant per repeat, chosen from its k training labels only: {string.Join(", ", d.Graphs)}");
        }
    }

    private static string Corr(double? v) => v is double x && double.IsFinite(x) ? Output.Num(x, 3) : "-";

    private static string Num(double? v, int decimals) => v is double x && double.IsFinite(x) ? Output.Num(x, decimals) : "-";

    private static void WriteJson(Utf8JsonWriter json, string dir, FewShotTaskPlan plan, IReadOnlyList<FewShotTaskResult> results)
    {
        json.WriteStartArray();
        foreach (FewShotTaskResult t in results)
        {
            json.WriteStartObject();
            json.WriteString("task", t.Task.Name);
            json.WriteString("space", t.Task.Space);
            json.WriteString("model", dir);
            json.WriteNumber("k", plan.K);
            json.WriteNumber("repeats", plan.Repeats);
            json.WriteNumber("seed", plan.Seed);
            Number(json, "spearman", t.Spearman);
            Number(json, "mape_pct", t.MapePercent);
            Number(json, "acc10_pct", t.Acc10Percent);
            Number(json, "baseline_spearman", t.BaselineSpearman);
            Number(json, "baseline_mape_pct", t.BaselineMapePercent);
            Number(json, "baseline_acc10_pct", t.BaselineAcc10Percent);
            if (t.Reason is null)
            {
                json.WriteNull("reason");
            }
            else
            {
                json.WriteString("reason", t.Reason);
            }
            Strings(json, "train_devices", t.Task.TrainDevices);
            Strings(json, "test_devices", t.Task.TestDevices);
            Strings(json, "trained_on", t.TrainedOn);
            Strings(json, "missing", t.Missing);
            json.WriteStartArray("devices");
            foreach (FewShotTaskDevice d in t.Devices)
            {
                json.WriteStartObject();
                json.WriteString("device", d.Device);
                json.WriteNumber("labelled_count", d.LabelledCount);
                json.WriteNumber("test_count", d.PerfSage.MeanCount);
                Number(json, "spearman", d.PerfSage.Spearman);
                Number(json, "mape_pct", d.PerfSage.MapePercent);
                Number(json, "acc10_pct", d.PerfSage.Acc10Percent);
                Number(json, "spearman_std", d.PerfSage.SpearmanStd);
                Number(json, "mape_pct_std", d.PerfSage.MapePercentStd);
                Number(json, "acc10_pct_std", d.PerfSage.Acc10PercentStd);
                Number(json, "baseline_spearman", d.Baseline.Spearman);
                Number(json, "baseline_mape_pct", d.Baseline.MapePercent);
                Number(json, "baseline_acc10_pct", d.Baseline.Acc10Percent);
                Strings(json, "donors", d.Donors);
                Strings(json, "graphs", d.Graphs);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void Strings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (string v in values)
        {
            json.WriteStringValue(v);
        }
        json.WriteEndArray();
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
