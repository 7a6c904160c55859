using System.Diagnostics;
using System.Globalization;
using PerfSage.Model;
using Serilog;

namespace PerfSage.Pipeline;

/// <summary>
/// A published few-shot transfer task of a search space: a predictor may learn from every architecture measured on the
/// training devices, then gets k measured architectures of each test device and is scored on all the other architectures
/// of that device.
/// </summary>
/// <param name="Name">The task's name as published (<c>N0</c>, <c>F0</c> … <c>F5</c>).</param>
/// <param name="Space">The search space of its architectures, as dataset folders record it (<c>nb201</c>, <c>fbnet</c>).</param>
/// <param name="TrainDevices">Devices whose measurements may be learned from (device columns; <c>&lt;gpu&gt;_&lt;N&gt;</c> at batch N).</param>
/// <param name="TestDevices">Devices that get only k measurements each.</param>
public sealed record FewShotTask(string Name, string Space, IReadOnlyList<string> TrainDevices, IReadOnlyList<string> TestDevices);

/// <summary>How each task is run.</summary>
/// <param name="K">Measured architectures a test device's head is fitted on.</param>
/// <param name="Repeats">Random draws of the k architectures per test device.</param>
/// <param name="Seed">Seeds the draws (<see cref="FewShot"/>: the same seed draws the same architectures).</param>
/// <param name="Fit">How every new head (training and test devices) is fitted.</param>
public sealed record FewShotTaskPlan(int K, int Repeats, long Seed, HeadFitOptions Fit);

/// <summary>One test device of a task: the new head and the MAC-count fit on the same k architectures, each the mean over
/// the repeats of its scores on all other architectures.</summary>
/// <param name="Device">The test device.</param>
/// <param name="LabelledCount">Its measured architectures with operators (k of them fitted on per repeat, the rest scored).</param>
/// <param name="PerfSage">The new head.</param>
/// <param name="Baseline">The MAC-count fit (<see cref="MacBaseline"/>) on the same k architectures.</param>
/// <param name="Donors">The heads the repeats' fits started from (one per repeat; a training device's head when its
/// measurements matched best).</param>
public sealed record FewShotTaskDevice(string Device, int LabelledCount, FewShotSummary PerfSage, FewShotSummary Baseline, IReadOnlyList<string> Donors)
{
    /// <summary>The graph variant each repeat chose from its k training labels (<see cref="GraphChooser"/>); empty when the
    /// data has one graph per architecture.</summary>
    public IReadOnlyList<string> Graphs { get; init; } = [];
}

/// <summary>The outcome of one task.</summary>
public sealed record FewShotTaskResult
{
    public required FewShotTask Task { get; init; }

    /// <summary>Training devices the data has: the model got a head for each before the test devices were fitted.</summary>
    public required IReadOnlyList<string> TrainedOn { get; init; }

    /// <summary>Devices of the task (training and test, in the task's order) the data has no measurements for.</summary>
    public required IReadOnlyList<string> Missing { get; init; }

    /// <summary>Test devices the data has, in the task's order.</summary>
    public required IReadOnlyList<FewShotTaskDevice> Devices { get; init; }

    /// <summary>Why the task has no scores (no test device in the data), or null when it ran.</summary>
    public string? Reason { get; init; }

    /// <summary>Mean over the test devices (and so over every repeat) of the head's Spearman, or null without a device.</summary>
    public double? Spearman => Mean(d => d.PerfSage.Spearman);

    public double? MapePercent => Mean(d => d.PerfSage.MapePercent);

    public double? Acc10Percent => Mean(d => d.PerfSage.Acc10Percent);

    /// <summary>The same mean for the MAC-count fit.</summary>
    public double? BaselineSpearman => Mean(d => d.Baseline.Spearman);

    public double? BaselineMapePercent => Mean(d => d.Baseline.MapePercent);

    public double? BaselineAcc10Percent => Mean(d => d.Baseline.Acc10Percent);

    private double? Mean(Func<FewShotTaskDevice, double> value) => Devices.Count == 0 ? null : Devices.Average(value);
}

/// <summary>
/// The few-shot transfer tasks of HELP, MultiPredict and NASFLAT, run with PerfSage: per task, the model gets a head for
/// every training device the data has (as <c>train --new-target</c> fits them); then for each test device, k random
/// measured architectures fit a new head over that model, whose donor may be any of its heads, the training devices'
/// included, scored on all its other architectures beside the MAC-count fit on the same k (<see cref="FewShotBench"/>,
/// <see cref="FewShotEvaluation"/>). Devices the data lacks are listed and left out; the task runs on the rest.
/// </summary>
public static class FewShotTasks
{
    /// <summary>The GPU settings of task F5: five GPUs at batch 1, 32 and 64.</summary>
    private static readonly string[] FbnetGpuSettings =
        [.. new[] { "1080ti", "2080ti", "titan_rtx", "titanx", "titanxp" }.SelectMany(g => new[] { 1, 32, 64 }.Select(b => string.Create(CultureInfo.InvariantCulture, $"{g}_{b}")))];

    /// <summary>The published tasks (train → test devices), N0 on NAS-Bench-201 and F0–F5 on FBNet.</summary>
    public static IReadOnlyList<FewShotTask> Published { get; } =
    [
        new("N0", "nb201",
            ["1080ti_1", "1080ti_32", "1080ti_256", "silver_4114", "silver_4210r", "samsung_a50", "pixel3", "essential_ph_1", "samsung_s7"],
            ["titan_rtx_256", "gold_6226", "fpga", "pixel2", "raspi4", "eyeriss"]),
        new("F0", "fbnet",
            ["1080ti_1", "1080ti_32", "1080ti_64", "silver_4114", "silver_4210r", "samsung_a50", "pixel3", "essential_ph_1", "samsung_s7"],
            ["fpga", "raspi4", "eyeriss"]),
        new("F1", "fbnet",
            ["2080ti_1", "essential_ph_1", "silver_4114", "titan_rtx_1", "titan_rtx_32"],
            ["eyeriss", "fpga", "raspi4", "samsung_a50", "samsung_s7"]),
        new("F2", "fbnet",
            ["essential_ph_1", "gold_6226", "gold_6240", "pixel3", "raspi4"],
            ["1080ti_1", "1080ti_32", "2080ti_32", "titan_rtx_1", "titanxp_1"]),
        new("F3", "fbnet",
            ["essential_ph_1", "pixel2", "pixel3", "raspi4", "samsung_s7"],
            ["1080ti_1", "1080ti_32", "2080ti_1", "titan_rtx_1", "titan_rtx_32"]),
        new("F4", "fbnet",
            ["1080ti_64", "2080ti_1", "eyeriss", "gold_6226", "gold_6240", "raspi4", "samsung_s7", "silver_4210r", "titan_rtx_1", "titan_rtx_32"],
            ["1080ti_1", "pixel2", "essential_ph_1"]),
        new("F5", "fbnet", FbnetGpuSettings, ["gold_6226", "essential_ph_1", "samsung_s7", "pixel2"]),
    ];

    /// <summary>The published tasks named in <paramref name="names"/> (comma separated, any case, or <c>all</c>), in the
    /// order given; throws <see cref="UserInputException"/> for an unknown name.</summary>
    public static IReadOnlyList<FewShotTask> Parse(string names)
    {
        ArgumentNullException.ThrowIfNull(names);
        string[] parts = names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 1 && parts[0].Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return Published;
        }
        var tasks = new List<FewShotTask>();
        foreach (string part in parts)
        {
            FewShotTask task = Published.FirstOrDefault(t => t.Name.Equals(part, StringComparison.OrdinalIgnoreCase))
                ?? throw new UserInputException($"--tasks {names}: unknown task '{part}'; the tasks are {string.Join(", ", Published.Select(t => t.Name))} (or all)");
            if (!tasks.Contains(task))
            {
                tasks.Add(task);
            }
        }
        if (tasks.Count == 0)
        {
            throw new UserInputException($"--tasks '{names}': name at least one task: {string.Join(", ", Published.Select(t => t.Name))} (or all)");
        }
        return tasks;
    }

    /// <summary>
    /// Runs every task of <paramref name="tasks"/> on the graphs of <paramref name="data"/> of its space, over the model
    /// <paramref name="loadBase"/> gives (loaded once, never changed). The trunk runs once per space (<see cref="FewShotBench"/>)
    /// and a training device's head is fitted once for all tasks that train on it. A task whose space has no graphs in the
    /// data, or whose test devices are all missing, is reported with a reason and no scores. Results are in the order of
    /// <paramref name="tasks"/>.
    /// </summary>
    public static IReadOnlyList<FewShotTaskResult> Run(Func<TrainedModel> loadBase, LabelledData data, IReadOnlyList<FewShotTask> tasks,
        FewShotTaskPlan plan, ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loadBase);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(log);
        var results = new FewShotTaskResult?[tasks.Count];
        foreach (string space in tasks.Select(t => t.Space).Distinct(StringComparer.Ordinal))
        {
            List<TrainingSample> samples = data.Samples.Where(s => s.Space == space).ToList();
            FewShotBench? bench = null;
            try
            {
                for (int i = 0; i < tasks.Count; i++)
                {
                    if (tasks[i].Space == space)
                    {
                        results[i] = Run(() => bench ??= Bench(loadBase(), samples, space, plan, log), samples, tasks[i], plan, log, cancellationToken);
                    }
                }
            }
            finally
            {
                bench?.Dispose();
            }
        }
        return [.. results.Select(r => r!)];
    }

    private static FewShotBench Bench(TrainedModel model, IReadOnlyList<TrainingSample> samples, string space, FewShotTaskPlan plan, ILogger log)
    {
        var clock = Stopwatch.StartNew();
        FewShotBench bench = FewShotBench.Build(model, samples, plan.Fit);
        log.Information("{Space}: the trunk ran over {Count} graphs in {Seconds:F1} s", space, bench.GraphCount, clock.Elapsed.TotalSeconds);
        return bench;
    }

    /// <summary>Runs <paramref name="task"/> on <paramref name="samples"/> (graphs of its space) with the bench
    /// <paramref name="bench"/> gives (built over the same samples; not disposed here).</summary>
    private static FewShotTaskResult Run(Func<FewShotBench> bench, List<TrainingSample> samples, FewShotTask task,
        FewShotTaskPlan plan, ILogger log, CancellationToken cancellationToken)
    {
        var present = new HashSet<string>(samples.SelectMany(s => s.Labels.Keys.Select(k => k.Target)), StringComparer.Ordinal);
        List<string> missing = [.. task.TrainDevices.Concat(task.TestDevices).Where(d => !present.Contains(d))];
        List<string> train = [.. task.TrainDevices.Where(present.Contains)];
        List<string> test = [.. task.TestDevices.Where(present.Contains)];
        if (test.Count == 0)
        {
            string reason = samples.Count == 0
                ? $"no {task.Space} graphs in the data (give a dataset folder imported from the {task.Space} table)"
                : $"the data has none of its test devices ({string.Join(", ", task.TestDevices)})";
            log.Information("task {Task}: no scores: {Reason}", task.Name, reason);
            return new FewShotTaskResult { Task = task, TrainedOn = train, Missing = missing, Devices = [], Reason = reason };
        }

        var clock = Stopwatch.StartNew();
        var options = new FewShotOptions { Ks = [plan.K], Repeats = plan.Repeats, Seed = plan.Seed, Fit = plan.Fit };
        var devices = new List<FewShotTaskDevice>();
        foreach (string device in test)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var head = new HeadKey(device, Metric.LatencyMs);
            var progress = new SyncProgress(m => log.Information("task {Task}, {Device}: {Message}", task.Name, device, m));
            FewShotResult result;
            try
            {
                result = bench().Run(train, head, options, FewShotEvaluation.Baseline(samples, head), progress, cancellationToken);
            }
            catch (ArgumentException e)
            {
                string reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
                throw new UserInputException($"task {task.Name}, {device}: {reason}", e);
            }
            FewShotRow row = FewShotEvaluation.Rows(result, null).Single();
            devices.Add(new FewShotTaskDevice(device, result.Actual.Count, row.All, row.Baseline, [.. result.Draws.Select(d => d.Donor)])
            {
                Graphs = [.. result.Draws.Select(d => d.Graph).Where(g => g is { Folds: > 0 }).Select(g => g!.Graph)],
            });
            log.Information("task {Task}: {Device}: Spearman {Spearman:F3} (MAC fit {Baseline:F3}), MAPE {Mape:F1} % (MAC fit {BaselineMape:F1} %); {Seconds:F0} s",
                task.Name, device, row.All.Spearman, row.Baseline.Spearman, row.All.MapePercent, row.Baseline.MapePercent, clock.Elapsed.TotalSeconds);
        }
        return new FewShotTaskResult { Task = task, TrainedOn = train, Missing = missing, Devices = devices };
    }

    /// <summary>Reports on the calling thread, in order (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
