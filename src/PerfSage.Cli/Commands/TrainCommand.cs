using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PerfSage.Cli.Rendering;
using PerfSage.Model;
using PerfSage.Pipeline;

namespace PerfSage.Cli.Commands;

/// <summary>
/// <c>perfsage train --data DIR... --out DIR [--epochs N] [--seed K] [--target T...] [--metric M...] [--batch-size B]
/// [--lr X] [--patience P] [--device cpu|cuda] [--resume true|false] [--from DIR [--freeze-trunk | --new-target NAME...]] [--jobs J]</c>:
/// trains a PerfSage model on dataset folders. Features come through each folder's feature cache; a checkpoint is
/// written after every epoch into <c>OUT.partial/</c>, so the same command resumes an interrupted run; the finished
/// model (weights, <c>manifest.json</c>, <c>metrics.json</c> with held-out accuracy) replaces <c>OUT</c> atomically.
/// </summary>
internal static class TrainCommand
{
    /// <summary>Most <c>--epochs</c> (and <c>--patience</c>): the shipped model trained 100; a million is days of CPU for the smallest data.</summary>
    internal const int MaxEpochs = 1_000_000;

    /// <summary>Largest <c>--batch-size</c>: graphs of one optimiser step are collated into one tensor batch.</summary>
    internal const int MaxBatchSize = 65_536;

    /// <summary>Largest <c>--lr</c>: with Adam each step moves a weight by about the learning rate, so 1 already overshoots
    /// every weight of the network (a higher rate only diverges; see <see cref="Trainer.DivergenceFactor"/>).</summary>
    internal const double MaxLearningRate = 1;

    public static Command Create(CliContext context)
    {
        var data = new Option<string[]>("--data", "-d")
        {
            Description = "Dataset folder(s) (labels.csv, graphs/, optional splits.csv).",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--out", "-o") { Description = "The model folder to write (replaced when training ends).", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Most epochs to run (early stopping may end sooner).", DefaultValueFactory = _ => 100 };
        var seed = new Option<long>("--seed") { Description = "Seed of weight initialisation and shuffling.", DefaultValueFactory = _ => 0 };
        var targets = new Option<string[]>("--target", "--targets", "-t")
        {
            Description = "Train heads only for these targets (default: every target with labels).",
            AllowMultipleArgumentsPerToken = true,
        };
        var metrics = new Option<string[]>("--metric")
        {
            Description = "Train heads only for these metrics: latency_ms, energy_mj, peak_ram_kb, flash_kb (default: all with labels).",
            AllowMultipleArgumentsPerToken = true,
        };
        var batchSize = new Option<int>("--batch-size") { Description = "Graphs per optimiser step.", DefaultValueFactory = _ => 64 };
        var learningRate = new Option<double>("--lr") { Description = "Initial learning rate, above 0 and at most 1 (cosine decay to 1e-5).", DefaultValueFactory = _ => 3e-3 };
        var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without a better validation loss (0: never).", DefaultValueFactory = _ => 20 };
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => Devices.Cpu };
        device.AcceptOnlyFromAmong(Devices.Cpu, Devices.Cuda);
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue an interrupted run of the same command from its last checkpoint in OUT.partial/ (default true; --resume false starts over).",
            DefaultValueFactory = _ => true,
        };
        var from = new Option<string?>("--from") { Description = "Start from this model: keep its trunk and heads, add or retrain heads for the targets in the data." };
        var freezeTrunk = new Option<bool>("--freeze-trunk") { Description = "With --from: train only the heads that have labels (a new board from few measurements)." };
        Option<int> jobs = DatasetCommand.JobsOption();
        var newTarget = new Option<string[]>("--new-target")
        {
            Description = $"With --from: add heads for this measured target of the data (at least {HeadFitter.MinimumLabels} labelled graphs) to a copy "
                + "of the model, fitted over its frozen trunk (implies --freeze-trunk; the model's own heads stay unchanged). Repeat it to add several "
                + "targets in one run (the trunk runs once for all).",
        };

        Option<string?> graph = GraphOption();
        var fitSplit = new Option<string?>("--split")
        {
            Description = "With --new-target: fit the new heads on this split of the data only (train, val or test), so that "
                + "'perfsage eval --split test' scores them on graphs they never saw (default: every labelled graph).",
        };
        // The few-shot recipe's overrides (as on eval --few-shot; docs/MODEL.md "New heads (few-shot)") for --new-target.
        var fitLayers = new Option<string?>("--fit-layers")
        {
            Description = "With --new-target: which head layers learn: auto (default: every layer up to 1,000 labelled graphs, "
                + "the output layers above), all, output or offset. 'all' on thousands of graphs is slower (minutes per head) "
                + "and needed when the new target's costs differ per operator from every existing head (scripts/train-default).",
        };
        fitLayers.AcceptOnlyFromAmong("offset", "output", "all", "auto");
        var fitSteps = new Option<int?>("--fit-steps") { Hidden = true };
        var fitLr = new Option<double?>("--fit-lr") { Hidden = true };
        var fitPull = new Option<double?>("--fit-pull") { Hidden = true };
        var command = new Command("train", "Train a PerfSage model (GraphSAGE) on dataset folders.")
        {
            data, output, epochs, seed, targets, metrics, batchSize, learningRate, patience, device, resume, from, freezeTrunk, jobs, newTarget, graph,
            fitSplit, fitLayers, fitSteps, fitLr, fitPull,
        };
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
            int threads = DatasetCommand.Jobs(parse, jobs);
            string outDir = ModelOutput(parse.GetValue(output)!);
            using PerfSage.IO.FolderLock outLock = LockModelFolder(parse.GetValue(output)!, outDir);
            string partial = outDir + ".partial";
            string checkpoints = Path.Combine(partial, "checkpoints");
            string deviceName = parse.GetValue(device)!;
            Check(parse.GetValue(epochs) is >= 1 and <= MaxEpochs, $"--epochs must be from 1 to {MaxEpochs}");
            Check(parse.GetValue(batchSize) is >= 1 and <= MaxBatchSize, $"--batch-size must be from 1 to {MaxBatchSize}");
            double lr = parse.GetValue(learningRate);
            Check(lr > 0 && lr <= MaxLearningRate, string.Create(CultureInfo.InvariantCulture,
                $"--lr {lr}: must be a number above 0 and at most {MaxLearningRate} (Adam diverges far below that; the default is 3e-3)"));
            Check(parse.GetValue(patience) is >= 0 and <= MaxEpochs, $"--patience must be from 0 to {MaxEpochs}");
            string? fromDir = parse.GetValue(from);
            Check(!parse.GetValue(freezeTrunk) || fromDir is not null, "--freeze-trunk needs --from MODEL (the trunk to keep)");
            List<Metric>? metricFilter = ParseMetrics(parse.GetValue(metrics));
            if (deviceName == Devices.Cuda && !Devices.CudaAvailable)
            {
                throw new UserInputException(
                    "--device cuda: this libtorch build is CPU-only or no GPU is visible (PerfSage ships libtorch-cpu-linux-x64); use --device cpu");
            }

            using var interrupt = new Interrupt();
            var clock = Stopwatch.StartNew();
            Split? onlySplit = null;
            if (parse.GetValue(fitSplit) is string splitName)
            {
                Check(parse.GetValue(newTarget) is { Length: > 0 }, "--split only applies with --new-target (full training splits the data itself)");
                Check(Splits.TryParse(splitName, out Split parsed), $"--split {splitName}: give train, val or test");
                onlySplit = parsed;
            }
            if (parse.GetValue(newTarget) is { Length: > 0 } names)
            {
                Check(fromDir is not null, "--new-target needs --from MODEL (the model whose trunk and heads the new heads are added to)");
                return AddTargets(context, parse.GetValue(data)!, ModelLocator.Resolve(fromDir), names, parse.GetValue(graph), onlySplit, outDir,
                    threads, clock, EvalCommand.FitOptions(parse, threads, fitLayers, fitSteps, fitLr, fitPull), interrupt.Token);
            }
            LabelledData labelled = LabelledData.Load(parse.GetValue(data)!, threads, context.Log, interrupt.Token, parse.GetValue(graph));
            string[] targetFilter = parse.GetValue(targets) ?? [];
            foreach (string t in targetFilter.Where(t => !labelled.Targets.Contains(t, StringComparer.Ordinal)))
            {
                throw new UserInputException($"--target {t}: the data has no labels for it; its targets: {string.Join(", ", labelled.Targets)}");
            }
            context.Log.Information("{Count} graphs: {Train} train, {Val} val, {Test} test; targets {Targets}",
                labelled.Samples.Count, labelled.Count(Split.Train), labelled.Count(Split.Validation), labelled.Count(Split.Test),
                string.Join(", ", targetFilter.Length > 0 ? targetFilter : labelled.Targets));

            if (!parse.GetValue(resume) && Directory.Exists(partial))
            {
                context.Log.Information("--resume false: discarding the checkpoints in {Dir}", partial);
                Directory.Delete(partial, recursive: true);
            }
            bool resuming = Directory.Exists(checkpoints) && Directory.EnumerateDirectories(checkpoints).Any();
            if (resuming)
            {
                context.Log.Information("Resuming from the checkpoints in {Dir} (--resume false starts over)", partial);
            }
            Directory.CreateDirectory(checkpoints);

            using TrainedModel? baseModel = fromDir is null ? null : ModelFolder.Load(ModelLocator.Resolve(fromDir));
            var options = new TrainOptions
            {
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                LearningRate = lr,
                MinLearningRate = Math.Min(1e-5, lr),
                Patience = parse.GetValue(patience),
                Seed = parse.GetValue(seed),
                Threads = threads,
                Targets = targetFilter.Length > 0 ? targetFilter : null,
                Metrics = metricFilter,
                Device = deviceName,
                CheckpointDirectory = checkpoints,
                Resume = true,
                BaseModel = baseModel,
                FreezeTrunk = parse.GetValue(freezeTrunk),
            };
            var progress = new TrainProgress(context.Log);
            using TrainedModel model = Train(labelled.Samples, options, progress, context, partial, resuming, interrupt.Token);
            ModelFolder.Save(model, outDir);
            TryDelete(partial, context);
            clock.Stop();
            WriteSummary(context.Stdout, outDir, model, labelled, clock.Elapsed);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>
    /// <c>--new-target NAME</c> (repeatable): fits heads NAME/metric for every NAME over the frozen trunk of the model in
    /// <paramref name="fromDir"/> on every graph of the data labelled for NAME (of <paramref name="split"/> only when given), the trunk run once for
    /// all of them, and saves the copy with the new heads atomically.
    /// </summary>
    private static int AddTargets(CliContext context, string[] dataDirs, string fromDir, IReadOnlyList<string> names, string? graph, Split? split,
        string outDir, int threads, Stopwatch clock, HeadFitOptions recipe, CancellationToken cancel)
    {
        if (Path.GetFullPath(fromDir).TrimEnd(Path.DirectorySeparatorChar) == outDir)
        {
            throw new UserInputException($"--out {outDir}: is the --from model; write the model with the new target to another folder");
        }
        LabelledData labelled = LabelledData.Load(dataDirs, threads, context.Log, cancel, graph, keepVariants: true);
        using (NewTargetResult added = NewTarget.Fit(labelled, names, () => ModelFolder.Load(fromDir), fromDir, dataDirs, threads, split,
            line => context.Log.Information("{Step}", line), recipe))
        {
            TrainedModel model = added.Model;
            ModelFolder.Save(model, outDir);
            clock.Stop();
            CultureInfo inv = CultureInfo.InvariantCulture;
            var perTarget = new List<string>();
            int headCount = 0;
            foreach (string name in names)
            {
                List<HeadManifest> heads = model.Manifest.Heads.Where(h => h.Target == name).ToList();
                headCount += heads.Count;
                perTarget.Add(string.Create(inv, $"{name} ({string.Join(", ", heads.Select(h => $"{h.Metric} from {h.TrainCount} graphs"))})"));
            }
            context.Stdout.WriteLine(string.Create(inv,
                $"wrote {outDir}: {fromDir} with {headCount} new head(s) for {string.Join(", ", perTarget)} "
                + $"over its frozen trunk; its {added.BaseModel.Heads.Count} heads unchanged; {clock.Elapsed.TotalSeconds:F1} s"));
            foreach (string name in names)
            {
                if (model.Manifest.Heads.FirstOrDefault(h => h.Target == name && h.GraphChoice is not null) is HeadManifest chosen)
                {
                    context.Stdout.WriteLine($"{name}: graph {chosen.GraphChoice}");
                }
                int without = added.WithoutOpsByTarget[name];
                if (without > 0)
                {
                    context.Stdout.WriteLine($"{without} graph(s) labelled for {name} have no operators and were left out");
                }
            }
            if (added.HeldOutSplit is string heldOutSplit && added.HeldOut.Count > 0)
            {
                context.Stdout.WriteLine(added.HeldOutRecorded
                    ? $"held-out accuracy of the new heads ({heldOutSplit} split, written to {ModelFolder.MetricsFile}):"
                    : $"held-out accuracy of the new heads ({heldOutSplit} split; not written to {ModelFolder.MetricsFile}: {fromDir}'s metrics are from its {added.BaseModel.Metrics?.Split} split):");
                AccuracyTable.Write(context.Stdout, new ModelMetrics { Split = heldOutSplit, Heads = added.HeldOut });
            }
        }
        return ExitCodes.Ok;
    }

    /// <summary><c>--graph</c>: which graph variant of a dataset with variants to read (<c>dataset import-nb201</c> builds
    /// eager, pruned and converted graphs of each architecture).</summary>
    internal static Option<string?> GraphOption() => new("--graph")
    {
        Description = "For data with graph variants (dataset import-nb201 without --graph): use this variant (eager, pruned or converted). "
            + "Without it, --new-target and eval --few-shot pick per target the variant whose head fits the training labels best "
            + "(5-fold cross-validation on those labels only); full training and held-out eval use eager.",
    };

    private static TrainedModel Train(IReadOnlyList<TrainingSample> samples, TrainOptions options, TrainProgress progress,
        CliContext context, string partial, bool resuming, CancellationToken cancel)
    {
        try
        {
            return Trainer.Train(samples, options, progress, cancel);
        }
        catch (OperationCanceledException)
        {
            context.Log.Information("Stopped after epoch {Epoch}; run the same command again to resume from its checkpoint in {Dir}",
                progress.LastEpoch, partial);
            throw;
        }
        catch (CheckpointException e) when (e.Problem == CheckpointProblem.OtherRun)
        {
            throw new UserInputException(
                $"{e.Message} (the checkpoints in {partial} are from a run with other data or settings: repeat that command to finish it, or add --resume false to discard them)", e);
        }
        catch (CheckpointException e)
        {
            throw new UserInputException(
                $"{e.Message}; the checkpoint in {partial} cannot be resumed from: delete {partial} (or add --resume false) to start training over, or give a fresh --out", e);
        }
        catch (ArgumentException e)
        {
            // The trainer's argument errors are about the data or the options the user gave (no labels, a bad target
            // name); they come before the first epoch, so an empty OUT.partial/ made for this run goes too.
            if (!resuming)
            {
                TryDelete(partial, context);
            }
            string reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            throw new UserInputException("cannot train: " + reason, e);
        }
    }

    /// <summary>The full path of --out; refuses a folder that holds something other than a model, because saving
    /// replaces the whole folder.</summary>
    private static string ModelOutput(string path)
    {
        string full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        if (full.Length == 0 || Path.GetDirectoryName(full) is null)
        {
            throw new UserInputException($"--out {path}: give a folder below an existing one, not the root");
        }
        OutputPaths.CheckFolder(path, "--out");
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any()
            && !File.Exists(Path.Combine(full, ModelFolder.ManifestFile)))
        {
            throw new UserInputException($"--out {path}: the folder exists and is not a PerfSage model folder; training would replace it, so give another --out");
        }
        return full;
    }

    /// <summary>Holds <paramref name="outDir"/> for this run, so that two runs never share its checkpoints or replace
    /// each other's model: a lock file <c>.NAME.lock</c> beside the folder (not in it, since saving replaces the
    /// folder; the kernel drops the lock when the process dies).</summary>
    private static PerfSage.IO.FolderLock LockModelFolder(string typed, string outDir)
    {
        string parent = Path.GetDirectoryName(outDir)!;
        Directory.CreateDirectory(parent);
        string lockName = $".{Path.GetFileName(outDir)}.lock";
        return PerfSage.IO.FolderLock.TryAcquire(Path.Combine(parent, lockName))
            ?? throw new UserInputException(
                $"{typed}: another perfsage train is writing this model folder (lock file {lockName} beside it); wait for it to finish or give another --out");
    }

    private static List<Metric>? ParseMetrics(string[]? names)
    {
        if (names is null || names.Length == 0)
        {
            return null;
        }
        var metrics = new List<Metric>();
        foreach (string name in names)
        {
            if (!MetricNames.TryParse(name, out Metric m))
            {
                throw new UserInputException($"--metric {name}: unknown metric; valid: {string.Join(", ", MetricNames.All.Select(MetricNames.Name))}");
            }
            metrics.Add(m);
        }
        return metrics;
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new UserInputException(message);
        }
    }

    private static void TryDelete(string dir, CliContext context)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Log.Warning("Could not delete the checkpoints in {Dir}: {Reason}", dir, e.Message);
        }
    }

    private static void WriteSummary(TextWriter stdout, string outDir, TrainedModel model, LabelledData data, TimeSpan elapsed)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        ModelManifest m = model.Manifest;
        stdout.WriteLine(string.Create(inv,
            $"trained {outDir}: {m.Heads.Count} heads for {model.Targets.Count} target(s) ({string.Join(", ", model.Targets)}), "
            + $"{data.Samples.Count} graphs ({data.Count(Split.Train)} train, {data.Count(Split.Validation)} val, {data.Count(Split.Test)} test), "
            + $"{m.Training.EpochsRun} epochs (best {m.Training.BestEpoch}), {elapsed.TotalSeconds:F1} s"));
        foreach (FeatureLoadStats f in data.Features)
        {
            stdout.WriteLine(string.Create(inv,
                $"features of {f.Directory}: {f.FromCache} from the cache, {f.Parsed} parsed ({f.CachePath}{(f.CacheWritten ? ", written" : "")})"));
        }
        if (data.HashSplitFolders.Count > 0)
        {
            stdout.WriteLine($"split by a hash of the model id (80/10/10; no splits.csv): {string.Join(", ", data.HashSplitFolders)}");
        }
        if (model.Metrics is { } metrics && metrics.Heads.Count > 0)
        {
            stdout.WriteLine($"held-out accuracy ({metrics.Split} split, written to {ModelFolder.MetricsFile}):");
            AccuracyTable.Write(stdout, metrics);
        }
        else
        {
            stdout.WriteLine("no held-out graphs (no test or val split): no metrics.json");
        }
    }
}
