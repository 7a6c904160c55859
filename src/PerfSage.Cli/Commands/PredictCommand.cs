using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PerfSage.Cli.Rendering;
using PerfSage.Graph;
using PerfSage.Graph.Features;
using PerfSage.Model;
using PerfSage.Pipeline;
using PerfSage.Targets;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PerfSage.Cli.Commands;

/// <summary>
/// <c>perfsage predict MODEL... --target T... [--all-targets] [--model DIR] [--plot FILE.png] [--format table|json|csv]</c>:
/// the GNN's latency, energy, peak RAM and flash for each model and target, the reference estimate beside it (also as
/// a picture with <c>--plot</c>, <see cref="PredictPlot"/>), and warnings where the graph lies outside what the model
/// was trained on. Without <c>--model</c> it uses <c>models/perfsage-default</c>
/// (<see cref="ModelLocator"/>).
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliContext context)
    {
        var models = new Argument<string[]>("model") { Description = "One or more .tflite files.", Arity = ArgumentArity.OneOrMore };
        var targets = new Option<string[]>("--target", "-t")
        {
            Description = "Target id (repeat for several); the model must have heads for it.",
            AllowMultipleArgumentsPerToken = true,
        };
        var allTargets = new Option<bool>("--all-targets") { Description = "Every target the model has heads for." };
        Option<string[]> boardOption = TargetOptions.BoardOption();
        var modelDir = ModelOption();
        var plot = new Option<string?>("--plot")
        {
            Description = "Write the predictions beside the reference estimates as bar charts (PNG) here: a panel per metric, a row per target.",
        };
        Option<string> format = Formats.Option("table", "json", "csv");
        Option<string?> engine = ModelStartup.EngineOption();
        var command = new Command("predict", "Predict latency, energy, peak RAM and flash with a trained PerfSage model.")
        {
            models, targets, allTargets, boardOption, modelDir, plot, format, engine,
        };
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
            string dir = ModelLocator.Resolve(parse.GetValue(modelDir));
            context.Log.Debug("Using the model in {Dir}", dir);
            PredictionEngine chosenEngine = ModelStartup.ResolveEngine(context, parse, engine);
            // The picture may not be a device, a folder, one of the models or a file of the model folder.
            string? plotPath = parse.GetValue(plot);
            List<string> readFiles = plotPath is null ? [] : [.. parse.GetValue(models)!, .. OutputPaths.FilesIn([dir])];
            if (plotPath is not null)
            {
                OutputPaths.CheckFile(plotPath, readFiles, "--plot");
            }
            // The model loads on a worker thread while the models are read and featurized here.
            using var loading = new BackgroundModel<Predictor>(() => ModelStartup.LoadPredictor(dir, context.Log, chosenEngine));
            var inputs = new List<PredictInput>();
            foreach (string path in parse.GetValue(models)!)
            {
                inputs.Add(Predicting.Read(path));
            }
            TargetCatalog catalog = TargetCatalog.LoadDefault();
            string[] boardNames = parse.GetValue(boardOption) ?? [];
            if (boardNames.Length > 0 && ((parse.GetValue(targets) ?? []).Length > 0 || parse.GetValue(allTargets)))
            {
                throw new UserInputException("give either --board or --target/--all-targets, not both (a board names its target)");
            }
            IReadOnlyList<Board> boards = TargetOptions.ResolveBoards(boardNames);
            bool withBoard = boards.Count > 0;
            // The resolution lines wait until the model is known to have heads for the targets, so that a family the
            // model cannot predict (ethos-u85 before retraining) is refused in one line.
            RequestedTargets named = RequestedTargets.Resolve(parse.GetValue(targets) ?? [], catalog, TextWriter.Null);
            // Only when a family name was given do JSON and CSV carry "requested" (what was asked) beside "target".
            RequestedTargets? requested = named.AnyFamily ? named : null;
            context.Log.Debug("Inputs read {Ms} ms after process start", ProcessClock.SinceStartMs());
            Predictor predictor = loading.Get();
            context.Log.Debug("Model loaded {Ms} ms after process start", ProcessClock.SinceStartMs());
            IReadOnlyList<PredictedRow> rows;
            PlotGrid? grid;
            if (withBoard)
            {
                grid = plotPath is null ? null : PlotGrid.Predict(inputs.Count, boards.Count);
                rows = Predicting.PredictBoards(predictor, inputs, boards, dir);
            }
            else
            {
                IReadOnlyList<string> chosen = ModelTargets.Resolve(predictor, named.Ids, parse.GetValue(allTargets), dir, named.RequestedFor);
                named.WriteNotes(context.Notes);
                grid = plotPath is null ? null : PlotGrid.Predict(inputs.Count, chosen.Count);
                rows = Predicting.Predict(predictor, inputs, chosen, catalog);
            }
            context.Log.Debug("Predicted {Ms} ms after process start", ProcessClock.SinceStartMs());
            if (plotPath is not null)
            {
                PredictPlot.Write(plotPath, rows, grid!, readFiles);
            }
            switch (parse.GetValue(format))
            {
                case "json":
                    Output.WriteJson(context.Stdout, json => WriteJson(json, rows, requested, withBoard));
                    break;
                case "csv":
                    WriteCsv(context.Stdout, rows, requested, withBoard);
                    break;
                default:
                    WriteTable(context.Stdout, rows, withBoard);
                    if (plotPath is not null)
                    {
                        context.Stdout.WriteLine($"plot: {plotPath}");
                    }
                    break;
            }
            context.Log.Debug("Printed {Ms} ms after process start", ProcessClock.SinceStartMs());
            // A prediction the network could not make (not finite, or absurd) was printed without numbers; it fails the run.
            // One line per model: its first failed target with the cause, and how many others failed.
            List<PredictedRow> failed = rows.Where(r => r.Prediction.Error is not null).ToList();
            foreach (IGrouping<string, PredictedRow> model in failed.GroupBy(r => r.Model, StringComparer.Ordinal))
            {
                PredictedRow first = model.First();
                string others = model.Count() == 1
                    ? ""
                    : $"; also on {string.Join(", ", model.Skip(1).Select(r => r.Target))}";
                context.Stderr.WriteLine($"perfsage: error: {model.Key} on {first.Target}: {first.Prediction.Error}{others}");
            }
            return failed.Count > 0 ? ExitCodes.BadInput : ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The <c>--model DIR</c> option shared by predict, score and eval.</summary>
    internal static Option<string?> ModelOption() => new("--model", "-m")
    {
        Description = $"The model folder (default: models/{ModelLocator.DefaultName} beside the program or above the current folder).",
    };

    /// <summary>Metric names, display names and units, in column order.</summary>
    internal static readonly (Metric Metric, string Label, string Unit)[] MetricColumns =
    [
        (Metric.LatencyMs, "latency", "ms"), (Metric.EnergyMj, "energy", "mJ"), (Metric.PeakRamKb, "peak RAM", "kB"), (Metric.FlashKb, "flash", "kB"),
    ];

    internal static string Format(double? value) => value switch
    {
        null => "-",
        double v when v >= 100 => Output.Num(v, 1),
        double v when v >= 1 => Output.Num(v, 3),
        double v => v.ToString("G4", CultureInfo.InvariantCulture),
    };

    private static void WriteTable(TextWriter stdout, IReadOnlyList<PredictedRow> rows, bool withBoard)
    {
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("model");
        if (withBoard)
        {
            table.AddColumn("board");
        }
        table.AddColumn("target");
        table.AddColumn("metric");
        table.AddColumn(new TableColumn("predicted").RightAligned());
        table.AddColumn(new TableColumn("reference").RightAligned());
        table.AddColumn(new TableColumn("pred/ref").RightAligned());
        foreach (PredictedRow row in rows)
        {
            bool first = true;
            foreach ((Metric metric, string label, string unit) in MetricColumns)
            {
                double? predicted = row.Prediction.Get(metric);
                double? reference = row.Reference is null ? null : ModelTargets.ReferenceValue(row.Reference, metric);
                string ratio = predicted is double p && reference is double r && r > 0 ? Output.Num(p / r, 2) : "-";
                IRenderable[] cells =
                [
                    new Text(first ? row.Model : ""), new Text(first ? row.Target : ""), new Text($"{label} [{unit}]"),
                    new Text(Format(predicted)), new Text(Format(reference)), new Text(ratio),
                ];
                table.AddRow(withBoard ? [cells[0], new Text(first ? row.Board ?? "-" : ""), .. cells[1..]] : cells);
                first = false;
            }
        }
        IAnsiConsole console = Output.Console(stdout);
        console.Write(table);
        foreach (PredictedRow row in rows)
        {
            if (row.Reference is null)
            {
                console.WriteLine($"note: {row.Model} on {row.Target}: no reference estimate (the target is not in the catalog)");
            }
            foreach (string warning in row.Prediction.Warnings)
            {
                console.WriteLine($"warning: {row.Model} on {row.Target}: {warning}");
            }
            if (row.Prediction.Error is not null)
            {
                console.WriteLine($"error: {row.Model} on {row.Target}: no prediction ({row.Prediction.Error})");
            }
        }
    }

    private static void WriteJson(Utf8JsonWriter json, IReadOnlyList<PredictedRow> rows, RequestedTargets? requested, bool withBoard)
    {
        json.WriteStartArray();
        foreach (PredictedRow row in rows)
        {
            json.WriteStartObject();
            json.WriteString("model", row.Model);
            json.WriteString("target", row.Target);
            if (requested is not null)
            {
                json.WriteString("requested", requested.RequestedFor(row.Target));
            }
            if (withBoard)
            {
                json.WriteString("board", row.Board);
            }
            if (row.Prediction.Error is not null)
            {
                json.WriteString("error", row.Prediction.Error);
            }
            foreach ((Metric metric, _, _) in MetricColumns)
            {
                WriteNullable(json, MetricNames.Name(metric), row.Prediction.Get(metric));
            }
            if (row.Reference is null)
            {
                json.WriteNull("reference");
            }
            else
            {
                json.WriteStartObject("reference");
                foreach ((Metric metric, _, _) in MetricColumns)
                {
                    WriteNullable(json, MetricNames.Name(metric), ModelTargets.ReferenceValue(row.Reference, metric));
                }
                json.WriteEndObject();
            }
            json.WriteStartArray("warnings");
            foreach (string w in row.Prediction.Warnings)
            {
                json.WriteStringValue(w);
            }
            json.WriteEndArray();
            json.WriteEndObject();
            Output.FlushIfLarge(json);
        }
        json.WriteEndArray();
    }

    /// <summary>Writes <paramref name="value"/>, or null when there is none or it is not finite (which JSON cannot hold).</summary>
    private static void WriteNullable(Utf8JsonWriter json, string name, double? value)
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

    private static void WriteCsv(TextWriter stdout, IReadOnlyList<PredictedRow> rows, RequestedTargets? requested, bool withBoard)
    {
        using var csv = Csv.Create(stdout);
        Csv.Header(csv, ["model", "target", .. (requested is null ? Array.Empty<string>() : ["requested"]), .. (withBoard ? ["board"] : Array.Empty<string>()), .. MetricColumns.Select(c => MetricNames.Name(c.Metric)),
            .. MetricColumns.Select(c => "ref_" + MetricNames.Name(c.Metric)), "warnings", "error"]);
        foreach (PredictedRow row in rows)
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
            foreach ((Metric metric, _, _) in MetricColumns)
            {
                csv.WriteField((object?)row.Prediction.Get(metric));
            }
            foreach ((Metric metric, _, _) in MetricColumns)
            {
                csv.WriteField((object?)(row.Reference is null ? null : ModelTargets.ReferenceValue(row.Reference, metric)));
            }
            csv.WriteField(string.Join("; ", row.Prediction.Warnings));
            csv.WriteField(row.Prediction.Error ?? "");
            csv.EndRecord();
        }
    }
}
