using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using PerfSage.IO;
using PerfSage.Model;
using PerfSage.Pipeline;
using PerfSage.Targets;

namespace PerfSage.Cli.Commands;

/// <summary>
/// <c>perfsage score INPUTS... --target T... --out FILE.csv [--budget METRIC&lt;=VALUE]... [--junit FILE.xml] [--model DIR] [--jobs J]</c>:
/// predicts many models (files, folders, globs, or lists of paths) into one CSV row per model and target, with the
/// reference estimate and the file's SHA-256 beside the prediction and a status per row. Models are parsed and
/// featurized in parallel and predicted in batches. Exit 2 when any input could not be scored (the others still are),
/// else exit 1 when any prediction breaks a budget, else 0. The CSV is written atomically; <see cref="ScoreCiOutputs"/> adds
/// the JUnit report and, under GitHub Actions, annotations and the job summary.
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
        Option<string?> junit = ScoreCiOutputs.JUnitOption();
        Option<string[]> boardOption = TargetOptions.BoardOption();
        Option<string?> engine = ModelStartup.EngineOption();
        var timings = new Option<bool>("--timings")
        {
            Description = "Print where the time went as one line on stderr: "
                + "timings: parse_ms=P featurize_ms=F network_ms=N estimate_ms=E write_ms=W rows=R",
        };
        var command = new Command("score", "Predict many models into a CSV and check them against budgets (a CI gate).")
        {
            inputs, targets, allTargets, boardOption, output, budgets, modelDir, jobs, junit, engine, timings,
        };
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
            var clock = Stopwatch.StartNew();
            List<Budget> limits = (parse.GetValue(budgets) ?? []).Select(Budget.Parse).ToList();
            int threads = DatasetCommand.Jobs(parse, jobs);
            string outPath = parse.GetValue(output)!;
            string dir = ModelLocator.Resolve(parse.GetValue(modelDir));
            RequestedTargets requestedTargets = RequestedTargets.Resolve(parse.GetValue(targets) ?? [], TargetCatalog.LoadDefault(), context.Notes);
            string[] named = requestedTargets.Ids;
            // Only when a family name was given does the CSV carry "requested" (what was asked) beside "target".
            RequestedTargets? requested = requestedTargets.AnyFamily ? requestedTargets : null;
            bool all = parse.GetValue(allTargets);
            string[] boardNames = parse.GetValue(boardOption) ?? [];
            if (boardNames.Length > 0 && (named.Length > 0 || all))
            {
                throw new UserInputException("give either --board or --target/--all-targets, not both (a board names its target)");
            }
            IReadOnlyList<Board> boards = TargetOptions.ResolveBoards(boardNames);

            PredictionEngine chosenEngine = ModelStartup.ResolveEngine(context, parse, engine);
            using var loading = new BackgroundModel<Predictor>(() => ModelStartup.LoadPredictor(dir, context.Log, chosenEngine, threads));
            string[] namedInputs = parse.GetValue(inputs)!;
            IReadOnlyList<ScoreInput> files = ScoreInputs.Expand(namedInputs, context.Log);
            // Every path named or found is an input: --out may be none of them (checked now, before the work, and again
            // when the CSV is written).
            List<string> readPaths = [.. namedInputs, .. files.Select(f => f.Path)];
            if (outPath != "-")
            {
                OutputPaths.CheckFile(outPath, readPaths, "--out");
            }
            ScoreCiOutputs ci = ScoreCiOutputs.Check(context, parse.GetValue(junit), outPath, readPaths);
            ScoreResult scored = Scoring.Run(files, loading.Get, dir, named, all, limits, threads, boards);
            IReadOnlyList<ScoreRow> rows = scored.Rows;
            IReadOnlyList<string> chosen = scored.Targets;

            long writeStart = Stopwatch.GetTimestamp();
            WriteCsv(outPath, rows, requested, readPaths, context, boards.Count > 0);
            double writeMs = Stopwatch.GetElapsedTime(writeStart).TotalMilliseconds;
            ci.WriteFiles(scored);
            clock.Stop();
            int code = Report(context, rows, files.Count, chosen, dir, outPath, limits, clock.Elapsed);
            ci.PublishToGitHub(scored, limits, csvOnStdout: outPath == "-");
            if (parse.GetValue(timings))
            {
                ScoreTimings t = scored.Timings;
                context.Stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"timings: parse_ms={t.ParseMs:F1} featurize_ms={t.FeaturizeMs:F1} network_ms={t.NetworkMs:F1} estimate_ms={t.EstimateMs:F1} write_ms={writeMs:F1} rows={rows.Count}"));
            }
            return code;
        }));
        return command;
    }

    private static readonly string[] Header =
    [
        "model", "target", "status", "latency_ms", "energy_mj", "peak_ram_kb", "flash_kb",
        "ref_latency_ms", "ref_energy_mj", "ref_peak_ram_kb", "ref_flash_kb", "sha256", "warnings",
    ];

    private static void WriteRows(TextWriter writer, IReadOnlyList<ScoreRow> rows, RequestedTargets? requested, bool withBoard)
    {
        // File names come from outside: a cell that a spreadsheet would run as a formula is written as text.
        using var csv = Csv.Create(writer, protectFormulas: true);
        string[] header = requested is null ? Header : [.. Header[..2], "requested", .. Header[2..]];
        Csv.Header(csv, withBoard ? [.. header[..2], "board", .. header[2..]] : header);
        foreach (ScoreRow row in rows)
        {
            csv.WriteField(row.Model);
            csv.WriteField(row.Target);
            if (requested is not null)
            {
                csv.WriteField(requested.RequestedFor(row.Target));
            }
            if (withBoard)
            {
                csv.WriteField(row.Board ?? "");
            }
            csv.WriteField(row.Status);
            foreach ((Metric metric, _, _) in PredictCommand.MetricColumns)
            {
                Csv.Number(csv, row.Prediction?.Get(metric));
            }
            foreach ((Metric metric, _, _) in PredictCommand.MetricColumns)
            {
                Csv.Number(csv, row.Reference is null ? null : ModelTargets.ReferenceValue(row.Reference, metric));
            }
            csv.WriteField(row.Sha256 ?? "");
            csv.WriteField(row.Prediction is null ? "" : string.Join("; ", row.Prediction.Warnings));
            csv.EndRecord();
        }
    }

    /// <summary>Writes the CSV through <see cref="OutputFile"/>: atomically (a reader or a crash never sees half a file),
    /// through a link to its target, never onto a device, a named pipe, a folder or an input; '-' writes to stdout.</summary>
    private static void WriteCsv(string path, IReadOnlyList<ScoreRow> rows, RequestedTargets? requested, IReadOnlyList<string> inputs, CliContext context,
        bool withBoard)
    {
        if (path == "-")
        {
            WriteRows(context.Stdout, rows, requested, withBoard);
            return;
        }
        OutputFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true);
            WriteRows(writer, rows, requested, withBoard);
        }, inputs, "--out");
    }

    private static int Report(CliContext context, IReadOnlyList<ScoreRow> rows, int models, IReadOnlyList<string> targets, string dir, string outPath,
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
                context.Stderr.WriteLine($"perfsage: over budget: {r.Model} on {r.Board ?? r.Target}: {string.Join("; ", r.Violations)}");
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
