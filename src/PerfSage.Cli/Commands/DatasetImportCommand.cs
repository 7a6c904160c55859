using System.CommandLine;
using PerfSage.Dataset;
using PerfSage.Dataset.Spaces;
using PerfSage.Tflite;

namespace PerfSage.Cli.Commands;

/// <summary><c>perfsage dataset import --measurements CSV --out DIR [--target NAME] [--skip-bad-rows]</c>, or a tool's output:
/// <c>--from vela|benchmark-model|mlperf-tiny --input FILE|DIR... [--models DIR] [--model NAME=PATH]... [--system FILE.json]</c>.</summary>
internal static class DatasetImportCommand
{
    public static Command Create(CliContext context)
    {
        var csv = new Option<string?>("--measurements", "-m")
        {
            Description = "Measurement CSV: model,target,latency_ms[,energy_mj][,peak_ram_kb][,flash_kb]; model paths relative to the CSV's folder.",
        };
        var output = new Option<string>("--out", "-o") { Description = "The dataset folder (created, or added to).", Required = true };
        var target = new Option<string?>("--target", "-t")
        {
            Description = "Target name for every row (overrides or replaces the target column; with --from: the device of a benchmark-model log "
                + "(required), instead of Vela's accelerator configuration or the MLPerf Tiny board).",
        };
        var skip = new Option<bool>("--skip-bad-rows")
        {
            Description = "Import the good rows even when some are bad (they are still listed; exit 0). Without it, one bad row means nothing is imported (exit 2).",
        };
        var from = new Option<string?>("--from")
        {
            Description = "Read a tool's output instead of a measurement CSV: vela (summary and per-layer CSVs), benchmark-model (TFLite benchmark_model logs), "
                + "mlperf-tiny (the results folder of one system). See docs/DATASETS.md.",
        };
        from.AcceptOnlyFromAmong([.. ToolFormats.Names]);
        var inputs = new Option<string[]>("--input", "-i")
        {
            Description = "With --from: the tool's output files or folders (Vela's output folder or *_summary_*.csv / *_per-layer.csv files; "
                + "log files or a folder of them; results/<system> folders).",
            AllowMultipleArgumentsPerToken = true,
        };
        var modelsDir = new Option<string?>("--models")
        {
            Description = "With --from: a folder holding the models as NAME.tflite (NAME: Vela's network, the logged graph's file name, or kws/vww/ic/ad).",
        };
        var modelMap = new Option<string[]>("--model")
        {
            Description = "With --from: NAME=PATH, the model of NAME (repeatable; tried before --models).",
        };
        var system = new Option<string?>("--system")
        {
            Description = "With --from mlperf-tiny: the system description (systems/SYSTEM.json): board name and clock name the target.",
        };
        var command = new Command("import", "Import a board's measurements (a CSV of models and their latency, or Vela, benchmark_model or MLPerf Tiny output) as a dataset.")
        {
            csv, output, target, skip, from, inputs, modelsDir, modelMap, system,
        };
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
            string? csvPath = parse.GetValue(csv);
            string? tool = parse.GetValue(from);
            string dir = parse.GetValue(output)!;
            bool skipBad = parse.GetValue(skip);
            if ((csvPath is null) == (tool is null))
            {
                throw new UserInputException(csvPath is null
                    ? "dataset import: give --measurements CSV, or --from vela|benchmark-model|mlperf-tiny with --input"
                    : "dataset import: --measurements and --from exclude each other; import one source at a time");
            }
            if (tool is null && (parse.GetValue(inputs)?.Length > 0 || parse.GetValue(modelsDir) is not null
                                 || parse.GetValue(modelMap)?.Length > 0 || parse.GetValue(system) is not null))
            {
                throw new UserInputException("dataset import: --input, --models, --model and --system go with --from");
            }
            OutputPaths.CheckFolder(dir, "--out");
            MeasurementImportResult r;
            string named;
            if (tool is null)
            {
                var request = new MeasurementImportRequest(csvPath!) { Target = parse.GetValue(target), SkipBadRows = skipBad };
                r = MeasurementImporter.Import(request, dir);
                named = csvPath!;
            }
            else
            {
                var map = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (string pair in parse.GetValue(modelMap) ?? [])
                {
                    int eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0 || eq == pair.Length - 1)
                    {
                        throw new UserInputException($"--model '{Limits.Echo(pair)}': expected NAME=PATH (kws=models/kws_ref_model.tflite)");
                    }
                    if (!map.TryAdd(pair[..eq], pair[(eq + 1)..]))
                    {
                        throw new UserInputException($"--model: '{Limits.Echo(pair[..eq])}' is given twice");
                    }
                }
                var request = new ToolImportRequest(ToolFormats.Parse(tool), parse.GetValue(inputs) ?? [])
                {
                    ModelsDirectory = parse.GetValue(modelsDir),
                    Models = map,
                    Target = parse.GetValue(target),
                    SystemFile = parse.GetValue(system),
                    SkipBadRows = skipBad,
                };
                r = ToolImporter.Import(request, dir);
                named = $"{tool} output";
            }
            foreach (BadRow bad in r.BadRows)
            {
                context.Stderr.WriteLine(bad.File is null
                    ? $"perfsage: {csvPath}: row {bad.Row}: {bad.Reason}"
                    : $"perfsage: {bad.File}: line {bad.Row}: {bad.Reason}");
            }
            if (r.BadRows.Count > 0 && !skipBad)
            {
                // All or nothing (docs/DATASETS.md): the importer wrote nothing.
                throw new UserInputException(tool is null
                    ? $"{csvPath}: {r.BadRows.Count} bad row(s) of {r.Rows}, so nothing was imported (fix them, or pass --skip-bad-rows to import the good rows without them)"
                    : $"{string.Join(' ', parse.GetValue(inputs) ?? [])}: {r.BadRows.Count} bad record(s) of {r.Rows}, so nothing was imported (fix them, or pass --skip-bad-rows to import the good ones without them)");
            }
            string skipped = r.BadRows.Count > 0 ? $", {r.BadRows.Count} bad rows skipped" : "";
            context.Stdout.WriteLine(r.Written
                ? $"imported {named} into {r.Directory}: {r.ModelsAdded} new models, {r.LabelsAdded} new labels, " +
                  $"{r.LabelsUpdated} updated, {r.LabelsUnchanged} unchanged, {r.DuplicateRowsMerged} duplicate rows merged{skipped}; " +
                  $"the folder holds {r.Models} models and {r.Labels} labels"
                : $"nothing new in {named}: {r.Directory} already holds its {r.LabelsUnchanged} labels{skipped}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}

/// <summary><c>perfsage dataset import-nb201 --csv FILE --out DIR [--limit N] [--dtype float32|int8]</c>.</summary>
internal static class DatasetImportNb201Command
{
    public static Command Create(CliContext context)
    {
        var csv = new Option<string>("--csv") { Description = "NAS-Bench-201 latency table: nb201_index,arch,<device>... (ms).", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "The dataset folder (an unfinished import in it is resumed).", Required = true };
        var limit = new Option<int?>("--limit") { Description = "Only the first N rows." };
        var dtype = new Option<string>("--dtype") { Description = "Element type of the graphs: float32 or int8.", DefaultValueFactory = _ => "float32" };
        dtype.AcceptOnlyFromAmong("float32", "int8");
        var graph = new Option<string?>("--graph")
        {
            Description = "Build only one graph per architecture. eager: every cell edge executes ('none' multiplies by zero); "
                + "converted: dead edges removed and constants folded, as a TFLite converter leaves the network; "
                + "pruned: eager without 'none' edges and the nodes only they read (operations on all-zero nodes still run). "
                + "Without it, all three are built and 'train --new-target' / 'eval --few-shot' pick, per device, the one its measurements fit.",
        };
        graph.AcceptOnlyFromAmong([.. Nb201Graphs.Names]);
        Option<string> weights = DatasetCommand.WeightsOption("none");
        Option<int> jobs = DatasetCommand.JobsOption();
        var command = new Command("import-nb201", "Import NAS-Bench-201 measured latencies: a graph per architecture, a target per device column.")
        {
            csv, output, limit, dtype, graph, weights, jobs,
        };
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
            int threads = DatasetCommand.Jobs(parse, jobs);
            string dir = parse.GetValue(output)!;
            OutputPaths.CheckFolder(dir, "--out");
            var request = new Nb201ImportRequest(parse.GetValue(csv)!)
            {
                Limit = parse.GetValue(limit),
                Dtype = parse.GetValue(dtype) == "int8" ? TensorType.Int8 : TensorType.Float32,
                Graph = parse.GetValue(graph) is string g ? Nb201Graphs.Parse(g) : null,
                Weightless = parse.GetValue(weights) == "none",
            };
            BuildResult result = DatasetProgress.Run(context, "import-nb201", (progress, cancel) =>
                Nb201Importer.Import(request, dir, new BuildOptions { Jobs = threads, Progress = progress }, cancel));
            DatasetCommand.WriteSummary(context, "imported NAS-Bench-201 into", result);
            return ExitCodes.Ok;
        }));
        return command;
    }
}

/// <summary><c>perfsage dataset import-fbnet --csv FILE --out DIR [--input cifar100|imagenet] [--limit N]</c>.</summary>
internal static class DatasetImportFbnetCommand
{
    public static Command Create(CliContext context)
    {
        var csv = new Option<string>("--csv")
        {
            Description = "FBNet latency table: fbnet_index,arch,<device>... (ms); a column <device>_<N> (N a power of two) was measured at batch N.",
            Required = true,
        };
        var output = new Option<string>("--out", "-o") { Description = "The dataset folder (an unfinished import in it is resumed).", Required = true };
        var limit = new Option<int?>("--limit") { Description = "Only the first N rows." };
        var input = new Option<string>("--input") { Description = "Input setting of the table: cifar100 (32x32, 100 classes) or imagenet (224x224, 1000 classes).", DefaultValueFactory = _ => "cifar100" };
        input.AcceptOnlyFromAmong("cifar100", "imagenet");
        Option<string> weights = DatasetCommand.WeightsOption("none");
        Option<int> jobs = DatasetCommand.JobsOption();
        var command = new Command("import-fbnet", "Import FBNet-space measured latencies: a graph per architecture and batch, a target per device column.")
        {
            csv, output, limit, input, weights, jobs,
        };
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
            int threads = DatasetCommand.Jobs(parse, jobs);
            string dir = parse.GetValue(output)!;
            OutputPaths.CheckFolder(dir, "--out");
            var request = new FbnetImportRequest(parse.GetValue(csv)!)
            {
                Limit = parse.GetValue(limit),
                Input = FbnetInputs.Parse(parse.GetValue(input)!)!.Value,
                Weightless = parse.GetValue(weights) == "none",
            };
            BuildResult result = DatasetProgress.Run(context, "import-fbnet", (progress, cancel) =>
                FbnetImporter.Import(request, dir, new BuildOptions { Jobs = threads, Progress = progress }, cancel));
            DatasetCommand.WriteSummary(context, "imported FBNet into", result);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
