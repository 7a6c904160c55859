using System.Diagnostics;
using System.Globalization;
using PerfSage;
using PerfSage.Dataset;
using PerfSage.Graph.Features;
using PerfSage.Model;
using PerfSage.Pipeline;

// How fast PerfSage predicts, as figures and ratios (not timed tests):
//   cold      `perfsage predict` wall time from process start for one small model (the built CLI run as a child
//             process, median of --runs), beside `dotnet` starting an empty program (this assembly with --empty,
//             which returns before touching anything) and the steps in between: `perfsage --version` (runtime + CLI
//             start-up), `perfsage inspect` (+ the .tflite parser, no libtorch). Goal: predict <= 0.5 s.
//   warm      in-process library prediction per model, parse + featurize + predict, median. Goal <= 5 ms.
//   score     `perfsage score` over --models generated models with --jobs 2, models/s from process start (and as the
//             command itself reports it). Goal >= 100 models/s on 2 cores.
//   train     training throughput in graphs/s (median over the epochs of a short run on the same models).
// Cold start is measured for the CLI as `dotnet build` leaves it (JIT) and, with --cli-r2r, as `dotnet publish
// -p:PublishReadyToRun=true` leaves it (precompiled); the phases come from the timings `predict -v` logs.
// Usage: PerfSage.PredictBench --cli PATH/perfsage.dll [--cli-r2r PATH/perfsage.dll] [--models 500] [--runs 5]
//        [--epochs 8] [--work DIR] [--keep]
if (args.Length == 1 && args[0] == "--empty")
{
    return 0; // the "empty program" baseline: the runtime starts, runs Main, and exits
}
if (Array.IndexOf(args, "--heads") is int at and >= 0)
{
    // --heads MODEL_DIR FILE.tflite: warm library prediction of one featurized model on every head of MODEL_DIR (one
    // trunk pass, then all targets' heads), median of 2,000 after 500 unmeasured, with each engine. Goal (issue #13): <= 1 ms.
    if (at + 2 >= args.Length)
    {
        Console.Error.WriteLine("usage: PerfSage.PredictBench --heads MODEL_DIR FILE.tflite");
        return 2;
    }
    GraphFeatures one = Predicting.Read(args[at + 2]).Features;
    Console.WriteLine($"| engine | warm prediction, {one.NodeCount} ops on every head (median of 2000) | goal | ratio |");
    Console.WriteLine("| --- | ---: | ---: | ---: |");
    foreach (PredictionEngine engine in new[] { PredictionEngine.Managed, PredictionEngine.Torch })
    {
        using Predictor p = Predictor.Load(args[at + 1], engine);
        var times = new List<double>();
        for (int i = 0; i < 2500; i++)
        {
            long start = Stopwatch.GetTimestamp();
            IReadOnlyList<Prediction> all = p.PredictTargets(one, p.Targets);
            if (i >= 500)
            {
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            if (all.Count != p.Targets.Count)
            {
                throw new InvalidOperationException("a target is missing");
            }
        }
        times.Sort();
        double median = times[times.Count / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {PredictionEngines.Name(engine)} | {median:F3} ms ({p.Heads.Count} heads) | <= 1 ms | {median:F2}x goal |"));
    }
    return 0;
}

string? cli = null, cliR2r = null;
int modelCount = 500, runs = 5, epochs = 8;
string? work = null;
bool keep = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--cli" when i + 1 < args.Length:
            cli = Path.GetFullPath(args[++i]);
            break;
        case "--cli-r2r" when i + 1 < args.Length:
            cliR2r = Path.GetFullPath(args[++i]);
            break;
        case "--models" when i + 1 < args.Length:
            modelCount = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--runs" when i + 1 < args.Length:
            runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--epochs" when i + 1 < args.Length:
            epochs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--work" when i + 1 < args.Length:
            work = Path.GetFullPath(args[++i]);
            break;
        case "--keep":
            keep = true;
            break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; usage: PerfSage.PredictBench --cli PATH/perfsage.dll [--models 500] [--runs 5] [--epochs 8] [--work DIR] [--keep]");
            return 2;
    }
}
if (cli is null || !File.Exists(cli))
{
    Console.Error.WriteLine($"--cli: give the built perfsage.dll (got {cli ?? "nothing"}); scripts/bench-predict builds it");
    return 2;
}

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string root = work ?? Path.Combine(Path.GetTempPath(), $"perfsage-predict-bench-{Environment.ProcessId}");
string data = Path.Combine(root, "data");
string modelDir = Path.Combine(root, "model");
const string Target = "cortex-m7";
Console.WriteLine($"PerfSage.PredictBench: {Environment.ProcessorCount} cores, .NET {Environment.Version}, CLI {cli}");
Console.WriteLine();
try
{
    // Data: generated KWS models labelled with the reference estimator (the library, not the CLI).
    if (!File.Exists(Path.Combine(data, "dataset.json")))
    {
        DatasetBuilder.Build(new BuildRequest("kws", modelCount, [Target]) { Seed = 11 }, data, new BuildOptions { Jobs = 2 });
    }
    DatasetFolder dataset = DatasetFolder.Load(data);
    // The same dataset -> samples path as `perfsage train` (labels, feature cache, hash split): the pipeline's.
    IReadOnlyList<TrainingSample> samples = LabelledData.Load([data], 2, Serilog.Core.Logger.None, CancellationToken.None).Samples;

    // Training throughput (and the model the rest uses).
    var rates = new List<double>();
    var progress = new Progress(r => rates.Add(r.GraphsPerSecond));
    using (TrainedModel trained = Trainer.Train(samples, new TrainOptions { Epochs = epochs, Seed = 1, Threads = 2 }, progress))
    {
        ModelFolder.Save(trained, modelDir);
    }
    int trainGraphs = samples.Count(s => s.Split == Split.Train);

    // Cold start: child processes, median of `runs` after one unmeasured run (file cache).
    string small = dataset.Models.OrderBy(m => new FileInfo(m.GraphPath).Length).First().GraphPath;
    string self = typeof(Progress).Assembly.Location;
    double empty = Median(runs, () => Child(self, ["--empty"]));
    double version = Median(runs, () => Child(cli, ["--version"]));
    double inspect = Median(runs, () => Child(cli, ["inspect", small]));
    string[] predictArgs = ["predict", small, "--target", Target, "--model", modelDir, "--format", "json", "-v"];
    (double predict, string phases) = Cold(cli, predictArgs, runs);
    (double predictR2r, string phasesR2r) = cliR2r is null ? (double.NaN, "") : Cold(cliR2r, predictArgs, runs);

    // Warm library prediction per model: parse + featurize + predict, one model at a time.
    using Predictor predictor = Predictor.Load(modelDir);
    List<string> files = dataset.Models.Select(m => m.GraphPath).ToList();
    for (int i = 0; i < Math.Min(50, files.Count); i++)
    {
        PredictOne(predictor, files[i]);
    }
    var perModel = new List<double>();
    foreach (string file in files.Take(300))
    {
        long start = Stopwatch.GetTimestamp();
        PredictOne(predictor, file);
        perModel.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }
    perModel.Sort();
    double warmMs = perModel[perModel.Count / 2];

    // Score throughput: the whole command over every generated model, from process start.
    string scores = Path.Combine(root, "scores.csv");
    Child(cli, ["score", Path.Combine(data, "graphs"), "--target", Target, "--model", modelDir, "--out", scores, "--jobs", "2"]);
    string summary = "";
    double scoreSeconds = Median(3, () => Child(cli, ["score", Path.Combine(data, "graphs"), "--target", Target, "--model", modelDir, "--out", scores, "--jobs", "2"], s => summary = s));
    int scored = File.ReadAllLines(scores).Length - 1;

    Console.WriteLine($"| what | value | goal | ratio |");
    Console.WriteLine($"| --- | ---: | ---: | ---: |");
    Console.WriteLine($"| `dotnet` empty program, wall (median of {runs}) | {empty:F3} s | | 1.0x |");
    Console.WriteLine($"| `perfsage --version`, wall | {version:F3} s | | {version / empty:F1}x empty |");
    Console.WriteLine($"| `perfsage inspect` one small model (no libtorch), wall | {inspect:F3} s | | {inspect / empty:F1}x empty |");
    Console.WriteLine($"| `perfsage predict` one small model, wall from process start (`dotnet build` output, JIT) | {predict:F3} s | <= 0.5 s | {predict / empty:F1}x empty, {predict / 0.5:F2}x goal |");
    if (cliR2r is not null)
    {
        Console.WriteLine($"| `perfsage predict`, the same, ReadyToRun publish | {predictR2r:F3} s | <= 0.5 s | {predictR2r / empty:F1}x empty, {predictR2r / 0.5:F2}x goal |");
    }
    Console.WriteLine($"| warm prediction per model (parse + featurize + predict), median of {perModel.Count} | {warmMs:F2} ms | <= 5 ms | {warmMs / 5:F2}x goal |");
    Console.WriteLine($"| `perfsage score` {scored} models, --jobs 2, wall from process start (median of 3) | {scored / scoreSeconds:F0} models/s ({scoreSeconds:F2} s) | >= 100 models/s | {scored / scoreSeconds / 100:F1}x goal |");
    Console.WriteLine($"| training, {trainGraphs} graphs, batch 64, 2 threads, median over {rates.Count} epochs | {MedianOf(rates):F0} graphs/s | | |");
    Console.WriteLine();
    Console.WriteLine($"predict phases, ms after process start (median; JIT build): {phases}");
    if (cliR2r is not null)
    {
        Console.WriteLine($"predict phases, ms after process start (median; ReadyToRun): {phasesR2r}");
    }
    Console.WriteLine("(libtorch loads on one thread while the manifest and weights are read on another and the .tflite is parsed on the main thread;");
    Console.WriteLine(" from 'printed' to the process end is libtorch's static destructors at exit.)");
    Console.WriteLine($"score's own summary: {summary}");
    return 0;
}
finally
{
    if (!keep && work is null)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

static void PredictOne(Predictor predictor, string file)
{
    // Read, parse and featurize as `perfsage predict` does.
    GraphFeatures features = Predicting.Read(file).Features;
    if (!(predictor.Predict(features, "cortex-m7").LatencyMs > 0))
    {
        throw new InvalidOperationException("no positive latency predicted");
    }
}

// Median wall time of `predict -v` and the median of each phase it logs ("[DBG] libtorch loaded 250 ms after
// process start"), after one unmeasured run.
static (double Seconds, string Phases) Cold(string dll, string[] arguments, int runs)
{
    Child(dll, arguments);
    var walls = new List<double>();
    var phases = new Dictionary<string, List<double>>();
    var order = new List<string>();
    for (int i = 0; i < runs; i++)
    {
        string log = "";
        walls.Add(Child(dll, arguments, stderr: e => log = e));
        foreach (string line in log.Split('\n'))
        {
            int at = line.IndexOf(" ms after process start", StringComparison.Ordinal);
            if (!line.StartsWith("[DBG] ", StringComparison.Ordinal) || at < 0)
            {
                continue;
            }
            string head = line[6..at];
            int space = head.LastIndexOf(' ');
            string name = head[..space];
            if (!phases.TryGetValue(name, out List<double>? values))
            {
                phases[name] = values = [];
                order.Add(name);
            }
            values.Add(double.Parse(head[(space + 1)..], CultureInfo.InvariantCulture));
        }
    }
    double wall = MedianOf(walls);
    string text = string.Join(", ", order.Select(n => $"{n} {MedianOf(phases[n]):F0}")) + $", process end {wall * 1000:F0}";
    return (wall, text);
}

// Runs `dotnet DLL ARGS`, returns its wall time in seconds; fails on a non-zero exit.
static double Child(string dll, string[] arguments, Action<string>? stdout = null, Action<string>? stderr = null)
{
    var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    start.ArgumentList.Add(dll);
    foreach (string a in arguments)
    {
        start.ArgumentList.Add(a);
    }
    var clock = Stopwatch.StartNew();
    using Process process = Process.Start(start)!;
    Task<string> output = process.StandardOutput.ReadToEndAsync();
    Task<string> error = process.StandardError.ReadToEndAsync();
    process.WaitForExit();
    clock.Stop();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"dotnet {dll} {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Result}");
    }
    stdout?.Invoke(output.Result.Trim());
    stderr?.Invoke(error.Result);
    return clock.Elapsed.TotalSeconds;
}

// Median of count measurements after one unmeasured run.
static double Median(int count, Func<double> measure)
{
    measure();
    var values = new List<double>();
    for (int i = 0; i < count; i++)
    {
        values.Add(measure());
    }
    return MedianOf(values);
}

static double MedianOf(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
}

// Collects epoch reports synchronously (System.Progress would post them to the thread pool).
internal sealed class Progress(Action<EpochReport> report) : IProgress<EpochReport>
{
    public void Report(EpochReport value) => report(value);
}
