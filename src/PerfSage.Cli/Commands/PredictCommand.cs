using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PerfSage.Graph;
using PerfSage.Graph.Features;
using PerfSage.Model;
using PerfSage.Pipeline;
using PerfSage.Targets;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PerfSage.Cli.Commands;

/// <summary>
/// <c>perfsage predict MODEL... --target T... [--all-targets] [--model DIR] [--format table|json|csv]</c>: the GNN's
/// latency, energy, peak RAM and flash for each model and target, the reference estimate beside it, and warnings where
/// the graph lies outside what the model was trained on. Without <c>--model</c> it uses <c>models/perfsage-default</c>
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
        var modelDir = ModelOption();
        Option<string> format = Formats.Option("table", "json", "csv");
        Option<string?> engine = ModelStartup.EngineOption();
        var command = new Command("predict", "Predict latency, energy, peak RAM and flash with a trained PerfSage model.")
        {
            models, targets, allTargets, modelDir, format, engine,
        };
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
            string dir = ModelLocator.Resolve(parse.GetValue(modelDir));
            context.Log.Debug("Using the model in {Dir}", dir);
            PredictionEngine chosenEngine = ModelStartup.ResolveEngine(context, parse, engine);
            // The model loads on a worker thread while the models are read and featurized here.
            using var loading = new BackgroundModel<Predictor>(() => ModelStartup.LoadPredictor(dir, context.Log, chosenEngine));
            var inputs = new List<PredictInput>();
            foreach (string path in parse.GetValue(models)!)
            {
                inputs.Add(Predicting.Read(path));
            }
            TargetCatalog catalog = TargetCatalog.LoadDefault();
            RequestedTargets named = RequestedTargets.Resolve(parse.GetValue(targets) ?? [], catalog, context.Notes);
            // Only when a family name was given do JSON and CSV carry "requested" (what was asked) beside "target".
            RequestedTargets? requested = named.AnyFamily ? named : null;
            context.Log.Debug("Inputs read {Ms} ms after process start", ProcessClock.SinceStartMs());
            Predictor predictor = loading.Get();
            context.Log.Debug("Model loaded {Ms} ms after process start", ProcessClock.SinceStartMs());
            IReadOnlyList<string> chosen = ModelTargets.Resolve(predictor, named.Ids, parse.GetValue(allTargets), dir);

            IReadOnlyList<PredictedRow> rows = Predicting.Predict(predictor, inputs, chosen, catalog);
            context.Log.Debug("Predicted {Ms} ms after process start", ProcessClock.SinceStartMs());
            switch (parse.GetValue(format))
            {
                case "json":
                    Output.WriteJson(context.Stdout, json => WriteJson(json, rows, requested));
                    break;
                case "csv":
                    WriteCsv(context.Stdout, rows, requested);
                    break;
                default:
                    WriteTable(context.Stdout, rows);
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

    private static void WriteTable(TextWriter stdout, IReadOnlyList<PredictedRow> rows)
    {
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("model");
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
                table.AddRow(new IRenderable[]
                {
                    new Text(first ? row.Model : ""), new Text(first ? row.Target : ""), new Text($"{label} [{unit}]"),
                    new Text(Format(predicted)), new Text(Format(reference)), new Text(ratio),
                });
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

    private static void WriteJson(Utf8JsonWriter json, IReadOnlyList<PredictedRow> rows, RequestedTargets? requested)
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

    private static void WriteCsv(TextWriter stdout, IReadOnlyList<PredictedRow> rows, RequestedTargets? requested)
    {
        using var csv = Csv.Create(stdout);
        Csv.Header(csv, ["model", "target", .. (requested is null ? Array.Empty<string>() : ["requested"]), .. MetricColumns.Select(c => MetricNames.Name(c.Metric)),
            .. MetricColumns.Select(c => "ref_" + MetricNames.Name(c.Metric)), "warnings", "error"]);
        foreach (PredictedRow row in rows)
        {
            csv.WriteField(row.Model);
            csv.WriteField(row.Target);
            if (requested is not null)
            {
                csv.WriteField(requested.RequestedFor(row.Target));
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
