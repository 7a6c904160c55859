using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PerfSage.Cli.Rendering;
using PerfSage.Model;
using PerfSage.Pipeline;
using PerfSage.Targets;
using Spectre.Console;

namespace PerfSage.Cli.Commands;

/// <summary>
/// <c>perfsage eval --model DIR --data DIR... [--split test|val|train|all] [--plot FILE.png] [--format table|json]</c>:
/// held-out accuracy of a model per target and metric (MAPE, share within ±5 % and ±10 %, Spearman, Kendall τ-b), beside
/// the same statistics for a MAC-count power-law baseline fitted on the data's training split (<see cref="MacBaseline"/>),
/// and optionally a log-log predicted-vs-true scatter. The test split by default. With <c>--few-shot</c>: new heads from k
/// measurements (<see cref="FewShotEval"/>), or with <c>--tasks</c> the published transfer tasks (<see cref="FewShotTasksEval"/>).
/// </summary>
internal static class EvalCommand
{
    public static Command Create(CliContext context)
    {
        Option<string?> modelDir = PredictCommand.ModelOption();
        var data = new Option<string[]>("--data", "-d")
        {
            Description = "Dataset folder(s) with labels (their split decides which graphs are held out).",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var split = new Option<string>("--split") { Description = "Which graphs to score: test (default), val, train or all.", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong([.. HeldOutEvaluation.SplitNames]);
        var plot = new Option<string?>("--plot") { Description = "Write a log-log predicted-vs-true scatter (PNG) here." };
        Option<string> format = Formats.Option("table", "json");
        Option<int> jobs = DatasetCommand.JobsOption();
        var fewShot = new Option<string?>("--few-shot")
        {
            Description = "Few-shot mode: comma-separated numbers of labelled graphs k (e.g. 10,20,50,100,900); per k and repeat a new "
                + "head for --target is fitted on k random graphs over the frozen trunk of --from and scored on all the rest.",
        };
        var repeats = new Option<int>("--repeats") { Description = "With --few-shot: random draws per k.", DefaultValueFactory = _ => 5 };
        var target = new Option<string?>("--target", "-t") { Description = "With --few-shot: the measured target (a target of the data, not of the model)." };
        var from = new Option<string?>("--from") { Description = "With --few-shot: the model whose trunk the new heads sit on (default: the default model)." };
        var seed = new Option<long>("--seed") { Description = "With --few-shot: seed of the random draws.", DefaultValueFactory = _ => 0 };
        var smallBelow = new Option<double?>("--small-below-ms")
        {
            Description = "With --few-shot: also report the graphs measured below this latency and those at or above it separately.",
        };
        // Recipe overrides, for the experiments of docs/MODEL.md ("New heads (few-shot)"); hidden from --help.
        var fitLayers = new Option<string?>("--fit-layers") { Hidden = true };
        fitLayers.AcceptOnlyFromAmong("offset", "output", "all", "auto");
        var fitSteps = new Option<int?>("--fit-steps") { Hidden = true };
        var fitLr = new Option<double?>("--fit-lr") { Hidden = true };
        var fitPull = new Option<double?>("--fit-pull") { Hidden = true };
        var tasks = new Option<string?>("--tasks")
        {
            Description = "With --few-shot K: run these published transfer tasks (N0 on NAS-Bench-201, F0-F5 on FBNet, comma separated, or all) "
                + "on the --data folders (one per search space): heads for each task's training devices, then a new head per test device from "
                + "K random architectures, scored on the rest beside the MAC-count fit. Devices the data lacks are listed as missing.",
        };
        Option<string?> engine = ModelStartup.EngineOption();
        Option<string?> graph = TrainCommand.GraphOption();
        var command = new Command("eval", "Measure a model's accuracy on labelled data, against a MAC-count baseline.")
        {
            modelDir, data, split, plot, format, jobs, fewShot, repeats, target, from, seed, smallBelow, fitLayers, fitSteps, fitLr, fitPull, engine, tasks, graph,
        };
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
            int threads = DatasetCommand.Jobs(parse, jobs);
            if (parse.GetValue(fewShot) is string ks)
            {
                if (parse.GetResult(engine) is { Implicit: false })
                {
                    throw new UserInputException("--engine does not apply with --few-shot (fitting new heads runs TorchSharp)");
                }
                if (parse.GetValue(repeats) < 1)
                {
                    throw new UserInputException("--repeats must be at least 1");
                }
                HeadFitOptions fit = FitOptions(parse, threads, fitLayers, fitSteps, fitLr, fitPull);
                if (parse.GetValue(tasks) is string taskNames)
                {
                    foreach (Option o in new Option[] { target, smallBelow, plot })
                    {
                        if (parse.GetResult(o) is { Implicit: false })
                        {
                            throw new UserInputException($"{o.Name} does not apply with --tasks (each task names its devices)");
                        }
                    }
                    int[] taskKs = FewShotEval.ParseKs(ks);
                    if (taskKs.Length != 1)
                    {
                        throw new UserInputException($"--few-shot {ks}: with --tasks give one k (the tasks are published at k = 20)");
                    }
                    var taskRequest = new FewShotTasksEval.Request(
                        parse.GetValue(from) ?? parse.GetValue(modelDir) ?? ModelLocator.Resolve(null), parse.GetValue(data)!, FewShotTasks.Parse(taskNames),
                        new FewShotTaskPlan(taskKs[0], parse.GetValue(repeats), parse.GetValue(seed), fit), parse.GetValue(format) == "json", threads)
                    {
                        Graph = parse.GetValue(graph),
                    };
                    return FewShotTasksEval.Run(context, taskRequest);
                }
                string? targetName = parse.GetValue(target)
                    ?? throw new UserInputException("--few-shot needs --target NAME (the measured target in --data to fit new heads for)");
                // A family name (ethos-u55) stands for its configuration; other names are targets of the data, as given.
                RequestedTargets named = RequestedTargets.Resolve([targetName], TargetCatalog.LoadDefault(), context.Notes);
                string? requested = named.AnyFamily ? targetName : null;
                targetName = named.Ids[0];
                double? small = parse.GetValue(smallBelow);
                if (small is double x && !(x > 0 && double.IsFinite(x)))
                {
                    throw new UserInputException($"--small-below-ms {x}: must be a positive number of milliseconds");
                }
                var request = new FewShotEval.Request(
                    parse.GetValue(from) ?? parse.GetValue(modelDir) ?? ModelLocator.Resolve(null), parse.GetValue(data)!, targetName,
                    FewShotEval.ParseKs(ks), parse.GetValue(repeats), parse.GetValue(seed), small, parse.GetValue(plot),
                    parse.GetValue(format) == "json", fit, threads)
                {
                    Requested = requested,
                    Graph = parse.GetValue(graph),
                };
                return FewShotEval.Run(context, request);
            }
            foreach (Option o in new Option[] { repeats, target, from, smallBelow, tasks })
            {
                if (parse.GetResult(o) is { Implicit: false })
                {
                    throw new UserInputException($"{o.Name} only applies with --few-shot");
                }
            }
            string dir = ModelLocator.Resolve(parse.GetValue(modelDir));
            string splitName = parse.GetValue(split)!;
            string? plotPath = parse.GetValue(plot);
            string[] dataDirs = parse.GetValue(data)!;
            // The plot may not be a device, a folder, or a file of the model or the data it is made from.
            List<string> readFiles = OutputPaths.FilesIn([dir, .. dataDirs]);
            if (plotPath is not null)
            {
                OutputPaths.CheckFile(plotPath, readFiles, "--plot");
            }
            PredictionEngine chosenEngine = ModelStartup.ResolveEngine(context, parse, engine);
            using var loading = new BackgroundModel<Predictor>(() => ModelStartup.LoadPredictor(dir, context.Log, chosenEngine, threads));
            using var interrupt = new Interrupt();
            LabelledData labelled = LabelledData.Load(dataDirs, threads, context.Log, interrupt.Token, parse.GetValue(graph));
            HeldOutResult result = HeldOutEvaluation.Run(loading.Get, labelled, splitName, dataDirs, threads);
            IReadOnlyList<EvalRow> rows = result.Rows;
            foreach (string warning in result.Warnings)
            {
                context.Log.Warning("{Warning:l}", warning);
            }
            if (plotPath is not null)
            {
                EvalPlot.Write(plotPath, result.Points, $"{Path.GetFileName(Path.GetFullPath(dir))} ({splitName})", readFiles);
            }
            if (parse.GetValue(format) == "json")
            {
                Output.WriteJson(context.Stdout, json => WriteJson(json, dir, dataDirs, splitName, rows, plotPath));
            }
            else
            {
                WriteTable(context.Stdout, dir, splitName, result.GraphCount, rows, plotPath);
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The few-shot recipe, with the hidden overrides of docs/MODEL.md ("New heads (few-shot)") applied.</summary>
    internal static HeadFitOptions FitOptions(ParseResult parse, int threads, Option<string?> layers, Option<int?> steps, Option<double?> lr,
        Option<double?> pull)
    {
        HeadFitOptions fit = new() { Threads = threads };
        fit = fit with
        {
            Layers = parse.GetValue(layers) is string l ? Enum.Parse<HeadFitLayers>(l, ignoreCase: true) : fit.Layers,
            Steps = parse.GetValue(steps) ?? fit.Steps,
            LearningRate = parse.GetValue(lr) ?? fit.LearningRate,
            DonorPull = parse.GetValue(pull) ?? fit.DonorPull,
        };
        try
        {
            fit.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UserInputException("bad recipe override: " + e.Message, e);
        }
        return fit;
    }

    private static void WriteTable(TextWriter stdout, string dir, string split, int graphs, IReadOnlyList<EvalRow> rows, string? plot)
    {
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model {dir} on the {split} split ({graphs} graphs):"));
        Table table = Output.NewTable(["target", "metric", "predictor", .. AccuracyTable.Columns]);
        foreach (EvalRow row in rows)
        {
            Output.AddRow(table, [row.Head.Target, MetricNames.Name(row.Head.Metric), "perfsage", .. AccuracyTable.Cells(row.Model)]);
            Output.AddRow(table, ["", "", "MAC baseline", .. AccuracyTable.Cells(row.Baseline)]);
        }
        Output.Write(stdout, table);
        stdout.WriteLine($"MAC baseline: {MacBaseline.Description}.");
        if (rows.Any(r => r.Baseline is null))
        {
            stdout.WriteLine("MAC baseline '-': the data has no training-split graphs labelled for that target and metric.");
        }
        if (split is "all" or "train")
        {
            stdout.WriteLine($"note: the {split} split includes graphs the model may have been trained on; its accuracy there is optimistic.");
        }
        if (plot is not null)
        {
            stdout.WriteLine($"plot: {plot}");
        }
    }

    private static void WriteJson(Utf8JsonWriter json, string dir, string[] data, string split, IReadOnlyList<EvalRow> rows, string? plot)
    {
        json.WriteStartObject();
        json.WriteString("model", dir);
        json.WriteStartArray("data");
        foreach (string d in data)
        {
            json.WriteStringValue(d);
        }
        json.WriteEndArray();
        json.WriteString("split", split);
        json.WriteString("baseline", MacBaseline.Description);
        json.WriteStartArray("heads");
        foreach (EvalRow row in rows)
        {
            json.WriteStartObject();
            json.WriteString("key", row.Head.Key);
            json.WriteString("target", row.Head.Target);
            json.WriteString("metric", MetricNames.Name(row.Head.Metric));
            json.WriteStartObject("perfsage");
            AccuracyTable.WriteProperties(json, row.Model);
            json.WriteEndObject();
            if (row.Baseline is null)
            {
                json.WriteNull("mac_baseline");
            }
            else
            {
                json.WriteStartObject("mac_baseline");
                AccuracyTable.WriteProperties(json, row.Baseline);
                json.WriteNumber("train_count", row.BaselineTrainCount);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (plot is null)
        {
            json.WriteNull("plot");
        }
        else
        {
            json.WriteString("plot", plot);
        }
        json.WriteEndObject();
    }
}
