using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PerfSage.Cli.Commands.ModelTools;
using PerfSage.Graph;
using PerfSage.Graph.Features;
using PerfSage.IO;
using PerfSage.Model;
using PerfSage.Targets;
using PerfSage.Tflite;

namespace PerfSage.Cli.Commands;

/// <summary>
/// <c>perfsage score INPUTS... --target T... --out FILE.csv [--budget METRIC&lt;=VALUE]... [--model DIR] [--jobs J]</c>:
/// predicts many models (files, folders, globs, or lists of paths) into one CSV row per model and target, with the
/// reference estimate and the file's SHA-256 beside the prediction and a status per row. Models are parsed and
/// featurized in parallel and predicted in batches. Exit 2 when any input could not be scored (the others still are),
/// else exit 1 when any prediction breaks a budget, else 0. The CSV is written atomically.
/// </summary>
internal static class ScoreCommand
{
    private const int MaxListedProblems = 20;

    public static Command Create(CliContext context)
    {
        var inputs = new Argument<string[]>("inputs")
        {
            Description = "Model files, folders (searched for *.tflite), globs ('models/**/*.tflite') or .csv/.txt lists of paths.",
            Arity = ArgumentArity.OneOrMore,
        };
        var targets = new Option<string[]>("--target", "-t")
        {
            Description = "Target id (repeat for several); the model must have heads for it.",
            AllowMultipleArgumentsPerToken = true,
        };
        var allTargets = new Option<bool>("--all-targets") { Description = "Every target the model has heads for." };
        var output = new Option<string>("--out", "-o") { Description = "The CSV to write ('-' for stdout).", Required = true };
        var budgets = new Option<string[]>("--budget")
        {
            Description = "A limit on a predicted metric, e.g. 'latency_ms<=20' or 'peak_ram_kb<256' (repeat for several; quote it in a shell).",
        };
        Option<string?> modelDir = PredictCommand.ModelOption();
        Option<int> jobs = DatasetCommand.JobsOption();
        var command = new Command("score", "Predict many models into a CSV and check them against budgets (a CI gate).")
        {
            inputs, targets, allTargets, output, budgets, modelDir, jobs,
        };
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
            var clock = Stopwatch.StartNew();
            List<Budget> limits = (parse.GetValue(budgets) ?? []).Select(Budget.Parse).ToList();
            int threads = DatasetCommand.Jobs(parse, jobs);
            string outPath = parse.GetValue(output)!;
            string dir = ModelLocator.Resolve(parse.GetValue(modelDir));
            string[] named = parse.GetValue(targets) ?? [];
            bool all = parse.GetValue(allTargets);

            using var loading = new BackgroundModel<Predictor>(() => ModelStartup.LoadPredictor(dir, context.Log, threads));
            string[] namedInputs = parse.GetValue(inputs)!;
            IReadOnlyList<ScoreInput> files = ScoreInputs.Expand(namedInputs, context.Log);
            // Every path named or found is an input: --out may be none of them (checked now, before the work, and again
            // when the CSV is written).
            List<string> readPaths = [.. namedInputs, .. files.Select(f => f.Path)];
            if (outPath != "-")
            {
                OutputPaths.CheckFile(outPath, readPaths, "--out");
            }
            TargetCatalog catalog = TargetCatalog.LoadDefault();
            // With named targets the reference estimates are made while the model loads; --all-targets needs the model first.
            IReadOnlyList<string> referenceTargets = all ? loading.Get().Targets : named.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var parsed = new ParsedModel[files.Count];
            Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = threads },
                i => parsed[i] = ParseOne(files[i], referenceTargets, catalog));

            Predictor predictor = loading.Get();
            IReadOnlyList<string> chosen = ModelTargets.Resolve(predictor, named, all, dir);
            CheckBudgetHeads(predictor, chosen, limits, dir);

            List<int> ok = Enumerable.Range(0, parsed.Length).Where(i => parsed[i].Features is not null).ToList();
            List<GraphFeatures> features = ok.Select(i => parsed[i].Features!).ToList();
            var predictions = new Dictionary<string, IReadOnlyList<Prediction>>(StringComparer.Ordinal);
            foreach (string target in chosen)
            {
                predictions[target] = predictor.PredictMany(features, target);
            }

            var rows = new List<ScoreRow>(files.Count * chosen.Count);
            var slot = new Dictionary<int, int>();
            for (int k = 0; k < ok.Count; k++)
            {
                slot[ok[k]] = k;
            }
            for (int i = 0; i < files.Count; i++)
            {
                foreach (string target in chosen)
                {
                    ParsedModel p = parsed[i];
                    if (p.Error is not null)
                    {
                        rows.Add(new ScoreRow(files[i].Path, target, p.Sha256, null, null, "error: " + OneLine(p.Error), []));
                        continue;
                    }
                    Prediction prediction = predictions[target][slot[i]];
                    if (prediction.Error is not null)
                    {
                        rows.Add(new ScoreRow(files[i].Path, target, p.Sha256, prediction, p.References.GetValueOrDefault(target),
                            $"error: {files[i].Path}: {prediction.Error}", []));
                        continue;
                    }
                    TargetEstimate? reference = p.References.GetValueOrDefault(target);
                    var broken = new List<string>();
                    foreach (Budget b in limits)
                    {
                        if (prediction.Get(b.Metric) is double v && !b.Allows(v))
                        {
                            broken.Add(b.Violation(v));
                        }
                    }
                    string status = broken.Count == 0 ? "ok" : "over budget: " + string.Join("; ", broken);
                    rows.Add(new ScoreRow(files[i].Path, target, p.Sha256, prediction, reference, status, broken));
                }
            }

            WriteCsv(outPath, rows, readPaths, context);
            clock.Stop();
            return Report(context, rows, files.Count, chosen, dir, outPath, limits, clock.Elapsed);
        }));
        return command;
    }

    /// <summary>What parsing one input gave: its features and reference estimates, or why it failed.</summary>
    private sealed record ParsedModel(string? Sha256, GraphFeatures? Features, Dictionary<string, TargetEstimate?> References, string? Error);

    private sealed record ScoreRow(string Model, string Target, string? Sha256, Prediction? Prediction, TargetEstimate? Reference,
        string Status, IReadOnlyList<string> Violations);

    private static ParsedModel ParseOne(ScoreInput input, IReadOnlyList<string> referenceTargets, TargetCatalog catalog)
    {
        var references = new Dictionary<string, TargetEstimate?>(StringComparer.OrdinalIgnoreCase);
        if (input.Error is not null)
        {
            return new ParsedModel(null, null, references, $"{input.Path}: {input.Error}");
        }
        byte[] bytes;
        try
        {
            // A named pipe, a device or a file over the model limit is refused before a byte is read.
            bytes = InputFile.ReadAllBytes(input.Path, Limits.MaxModelBytes, "model");
        }
        catch (PerfSageException e)
        {
            return new ParsedModel(null, null, references, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ParsedModel(null, null, references, $"{input.Path}: cannot read the file ({e.Message})");
        }
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        try
        {
            TfliteModel model = TfliteReader.Parse(bytes, input.Path);
            if (model.Subgraphs.Count == 0)
            {
                return new ParsedModel(sha, null, references, $"{input.Path}: the model has no subgraph, so there is nothing to predict");
            }
            OpGraph graph = OpGraph.FromModel(model);
            GraphFeatures features = Featurizer.Featurize(graph);
            foreach (string target in referenceTargets)
            {
                references[target] = ModelTargets.Reference(catalog, target, graph);
            }
            return new ParsedModel(sha, features, references, null);
        }
        catch (TfliteFormatException e)
        {
            return new ParsedModel(sha, null, references, e.Message);
        }
        catch (OpGraphException e)
        {
            return new ParsedModel(sha, null, references, $"{input.Path}: {e.Message}");
        }
    }

    /// <summary>A budget on a metric the model does not predict for a chosen target cannot be checked: refuse it.</summary>
    private static void CheckBudgetHeads(Predictor predictor, IReadOnlyList<string> targets, List<Budget> budgets, string dir)
    {
        foreach (Budget b in budgets)
        {
            foreach (string target in targets)
            {
                if (!predictor.Manifest.Heads.Any(h => h.Target == target && h.Metric == b.MetricName))
                {
                    throw new UserInputException($"--budget {b}: the model {dir} does not predict {b.MetricName} on {target}");
                }
            }
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    private static readonly string[] Header =
    [
        "model", "target", "status", "latency_ms", "energy_mj", "peak_ram_kb", "flash_kb",
        "ref_latency_ms", "ref_energy_mj", "ref_peak_ram_kb", "ref_flash_kb", "sha256", "warnings",
    ];

    private static void WriteRows(TextWriter writer, List<ScoreRow> rows)
    {
        // File names come from outside: a cell that a spreadsheet would run as a formula is written as text.
        using var csv = Csv.Create(writer, protectFormulas: true);
        Csv.Header(csv, Header);
        foreach (ScoreRow row in rows)
        {
            csv.WriteField(row.Model);
            csv.WriteField(row.Target);
            csv.WriteField(row.Status);
            foreach ((Metric metric, _, _) in PredictCommand.MetricColumns)
            {
                Csv.Number(csv, row.Prediction?.Get(metric));
            }
            foreach ((Metric metric, _, _) in PredictCommand.MetricColumns)
            {
                Csv.Number(csv, row.Reference is null ? null : PredictCommand.ReferenceValue(row.Reference, metric));
            }
            csv.WriteField(row.Sha256 ?? "");
            csv.WriteField(row.Prediction is null ? "" : string.Join("; ", row.Prediction.Warnings));
            csv.EndRecord();
        }
    }

    /// <summary>Writes the CSV through <see cref="OutputFile"/>: atomically (a reader or a crash never sees half a file),
    /// through a link to its target, never onto a device, a named pipe, a folder or an input; '-' writes to stdout.</summary>
    private static void WriteCsv(string path, List<ScoreRow> rows, IReadOnlyList<string> inputs, CliContext context)
    {
        if (path == "-")
        {
            WriteRows(context.Stdout, rows);
            return;
        }
        OutputFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true);
            WriteRows(writer, rows);
        }, inputs, "--out");
    }

    private static int Report(CliContext context, List<ScoreRow> rows, int models, IReadOnlyList<string> targets, string dir, string outPath,
        List<Budget> budgets, TimeSpan elapsed)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        List<ScoreRow> errors = rows.Where(r => r.Status.StartsWith("error", StringComparison.Ordinal)).ToList();
        List<ScoreRow> over = rows.Where(r => r.Violations.Count > 0).ToList();
        int badModels = errors.Select(r => r.Model).Distinct(StringComparer.Ordinal).Count();
        TextWriter summary = outPath == "-" ? context.Stderr : context.Stdout;
        summary.WriteLine(string.Create(inv,
            $"scored {models} model(s) on {targets.Count} target(s) ({string.Join(", ", targets)}) with {dir} in {elapsed.TotalSeconds:F2} s "
            + $"({models / Math.Max(elapsed.TotalSeconds, 1e-9):F0} models/s): {rows.Count - errors.Count - over.Count} ok, "
            + $"{over.Count} over budget, {errors.Count} error(s) -> {(outPath == "-" ? "stdout" : outPath)}"));

        if (over.Count > 0)
        {
            foreach (ScoreRow r in over.Take(MaxListedProblems))
            {
                context.Stderr.WriteLine($"perfsage: over budget: {r.Model} on {r.Target}: {string.Join("; ", r.Violations)}");
            }
            if (over.Count > MaxListedProblems)
            {
                context.Stderr.WriteLine(string.Create(inv, $"perfsage: ... and {over.Count - MaxListedProblems} more rows over budget"));
            }
            context.Stderr.WriteLine(string.Create(inv,
                $"perfsage: {over.Count} of {rows.Count - errors.Count} predictions break the budget ({string.Join(", ", budgets)})"));
        }
        if (errors.Count > 0)
        {
            foreach (string message in errors.Select(r => r.Status["error: ".Length..]).Distinct(StringComparer.Ordinal).Take(MaxListedProblems))
            {
                context.Stderr.WriteLine("perfsage: error: " + message);
            }
            context.Stderr.WriteLine(string.Create(inv,
                $"perfsage: error: {badModels} of {models} input(s) could not be scored (status 'error' in the CSV); the others were"));
            return ExitCodes.BadInput;
        }
        return over.Count > 0 ? ExitCodes.CheckFailed : ExitCodes.Ok;
    }
}
