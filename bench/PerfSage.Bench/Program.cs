using System.Globalization;
using PerfSage.Bench;
using PerfSage.Graph;
using PerfSage.Targets;
using PerfSage.Tflite;

// Parse throughput of the TFLite reader, warm, against File.ReadAllBytes of the same bytes.
// Usage: PerfSage.Bench [--models DIR]   (default: ../shared/models beside the repository)

string? modelsDir = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--models" && i + 1 < args.Length)
    {
        modelsDir = args[++i];
    }
    else
    {
        Console.Error.WriteLine($"unknown argument {args[i]}; usage: PerfSage.Bench [--models DIR]");
        return 2;
    }
}
modelsDir ??= FindSharedModels();
if (modelsDir is null || !Directory.Exists(modelsDir))
{
    Console.Error.WriteLine("no models folder: pass --models DIR (../shared/models beside the repository by default)");
    return 2;
}

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
Console.WriteLine($"PerfSage.Bench: {Environment.ProcessorCount} cores, .NET {Environment.Version}, models in {modelsDir}");
Console.WriteLine($"warm median of {WarmTimer.Rounds} rounds of >= {WarmTimer.RoundSeconds} s; read = File.ReadAllBytes (page cache warm)");
Console.WriteLine();

// 1. One model: the 4 MB int8 MobileNetV2.
string mobilenet = Path.Combine(modelsDir, "tflm", "mobilenet_v2_quantized_1x3x224x224.tflite");
if (File.Exists(mobilenet))
{
    byte[] bytes = File.ReadAllBytes(mobilenet);
    TfliteModel model = TfliteReader.Parse(bytes, mobilenet);
    Console.WriteLine($"{Path.GetFileName(mobilenet)}: {bytes.Length / 1e6:F2} MB, " +
        $"{model.Subgraphs[0].Tensors.Count} tensors, {model.Subgraphs[0].Operators.Count} operators");
    double readSeconds = WarmTimer.MedianSeconds(() => File.ReadAllBytes(mobilenet));
    Report("read", bytes.Length, readSeconds, readSeconds);
    foreach (Phase phase in Phases.All)
    {
        Report(phase.Name, bytes.Length, WarmTimer.MedianSeconds(() => phase.Run(bytes)), readSeconds);
    }
    Console.WriteLine();
}
else
{
    Console.WriteLine($"skipped: {mobilenet} not found");
}

// 2. Every .tflite/.bin under the folder that parses (the negatives do not).
var files = new List<(string Path, byte[] Bytes)>();
int refused = 0;
foreach (string path in Directory.EnumerateFiles(modelsDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
{
    if (!path.EndsWith(".tflite", StringComparison.Ordinal) && !path.EndsWith(".bin", StringComparison.Ordinal))
    {
        continue;
    }
    byte[] bytes = File.ReadAllBytes(path);
    try
    {
        TfliteReader.Parse(bytes, path);
        files.Add((path, bytes));
    }
    catch (TfliteFormatException)
    {
        refused++;
    }
}
long total = files.Sum(f => (long)f.Bytes.Length);
Console.WriteLine($"all models: {files.Count} files that parse ({refused} refused), {total / 1e6:F2} MB in all");
double readAll = WarmTimer.MedianSeconds(() =>
{
    long n = 0;
    foreach ((string path, _) in files)
    {
        n += File.ReadAllBytes(path).Length;
    }
    return n;
});
Report("read", total, readAll, readAll);
foreach (Phase phase in Phases.All)
{
    double seconds = WarmTimer.MedianSeconds(() =>
    {
        object? last = null;
        foreach ((_, byte[] bytes) in files)
        {
            last = phase.Run(bytes);
        }
        return last!;
    });
    Report(phase.Name, total, seconds, readAll);
}

// 3. Reference estimates: every graph of the folder on every catalog target (graphs built once, outside the timing).
Console.WriteLine();
TargetCatalog catalog = TargetCatalog.LoadDefault();
IEstimator[] estimators = catalog.Targets.Select(Estimator.For).ToArray();
var graphs = new List<OpGraph>();
foreach ((string path, byte[] bytes) in files)
{
    TfliteModel parsed = TfliteReader.Parse(bytes, path);
    if (parsed.Subgraphs.Count > 0)
    {
        graphs.Add(OpGraph.FromModel(parsed));
    }
}
int estimateCount = graphs.Count * estimators.Length;
double estimateSeconds = WarmTimer.MedianSeconds(() =>
{
    double sum = 0;
    foreach (OpGraph graph in graphs)
    {
        foreach (IEstimator estimator in estimators)
        {
            sum += estimator.Estimate(graph).LatencyMs;
        }
    }
    return sum;
});
double parallelSeconds = WarmTimer.MedianSeconds(() =>
{
    double[] sums = new double[graphs.Count];
    Parallel.For(0, graphs.Count, i =>
    {
        foreach (IEstimator estimator in estimators)
        {
            sums[i] += estimator.Estimate(graphs[i]).LatencyMs;
        }
    });
    return sums.Sum();
});
Console.WriteLine($"estimates: {graphs.Count} graphs x {estimators.Length} targets = {estimateCount} estimates");
Console.WriteLine($"  1 thread     {estimateSeconds * 1e3,10:F1} ms  {estimateCount / estimateSeconds,10:F0} estimates/s");
Console.WriteLine($"  {Environment.ProcessorCount} threads    {parallelSeconds * 1e3,10:F1} ms  {estimateCount / parallelSeconds,10:F0} estimates/s  " +
    $"({estimateSeconds / parallelSeconds:F2}x)");
return 0;

static void Report(string name, long bytes, double seconds, double readSeconds) =>
    Console.WriteLine($"  {name,-12} {seconds * 1e3,10:F4} ms  {bytes / seconds / 1e6,10:F0} MB/s  " +
        $"{seconds / readSeconds,7:F3} x read");

static string? FindSharedModels()
{
    for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
    {
        if (File.Exists(Path.Combine(dir, "PerfSage.sln")))
        {
            string env = Environment.GetEnvironmentVariable("PERFSAGE_SHARED") ?? "";
            string shared = env.Length > 0 ? env : Path.Combine(dir, "..", "shared");
            return Path.GetFullPath(Path.Combine(shared, "models"));
        }
    }
    return null;
}
