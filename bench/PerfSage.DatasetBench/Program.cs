using System.Diagnostics;
using System.Globalization;
using PerfSage.Dataset;
using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Targets;
using PerfSage.Tflite;

// Dataset-building throughput per search space, in models per second with --jobs workers:
//   sampled   draw the OpGraph (ISearchSpace.Sample)
//   written   + GraphExporter.Write (the .tflite bytes)
//   parsed    + TfliteReader.Parse + OpGraph.FromModel (the graph read back)
//   labelled  + one reference estimate per target
//   build     the whole `perfsage dataset build`: the above plus files, journal, compaction
// Each figure is the best of two rounds after a warm-up (the machine may be shared; the JIT tiers up).
// Usage: PerfSage.DatasetBench [--jobs 2] [--scale 1] [--spaces kws,vww,...]

const int Rounds = 2; // each figure is the best of this many rounds
int jobs = 2;
double scale = 1;
string[]? only = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--jobs" when i + 1 < args.Length:
            jobs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--scale" when i + 1 < args.Length:
            scale = double.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--spaces" when i + 1 < args.Length:
            only = args[++i].Split(',');
            break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; usage: PerfSage.DatasetBench [--jobs 2] [--scale 1] [--spaces kws,vww]");
            return 2;
    }
}

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
// Models per space: ~2,000 for the small kws networks, fewer where one model takes longer.
var counts = new Dictionary<string, int>
{
    ["kws"] = 2000, ["vww"] = 300, ["ic"] = 400, ["ad"] = 400, ["mobile"] = 40, ["nb201"] = 400, ["nb201-int8"] = 400,
};
TargetCatalog catalog = TargetCatalog.LoadDefault();
string[] one = ["cortex-m4"];
double lastCpuMsPerModel = 0;
string root = Path.Combine(Path.GetTempPath(), $"perfsage-dataset-bench-{Environment.ProcessId}");
Console.WriteLine($"PerfSage.DatasetBench: {Environment.ProcessorCount} cores, .NET {Environment.Version}, --jobs {jobs}, models/s (higher is better)");
Console.WriteLine("targets: 1 = cortex-m4; intended = the catalog targets of the space's intended families; all = the 13 of the catalog");
Console.WriteLine();
Console.WriteLine("CPU ms/model: processor time of the whole process per model of the all-targets build; " +
                  $"{jobs} x 1000 / that = the rate on {jobs} otherwise idle cores");
Console.WriteLine();
Console.WriteLine("| space | models | KB/model | sampled/s | written/s | parsed/s | labelled/s (1) | build/s (1) | build/s (intended) | build/s (all) | CPU ms/model (all) | idle-core rate (all) |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
try
{
    foreach (ISearchSpace space in SearchSpaces.All)
    {
        if (only is not null && !only.Contains(space.Name))
        {
            continue;
        }
        int n = Math.Max(10, (int)(counts[space.Name] * scale));
        string[] intended = [.. catalog.Targets.Where(t => space.IntendedFamilies.Contains(TargetSpec.FamilyName(t.Family))).Select(t => t.Id)];
        IEstimator[] oneEstimator = [Estimator.For(catalog.Get(one[0]))];
        ulong seed = 1;

        // Warm-up (JIT, tiered compilation): every stage and every build once, on other samples (seed 2).
        int warm = Math.Min(n, 40);
        Rate(warm, jobs, i => Label(space, 2, i, oneEstimator));
        Build(space.Name, warm, one, 2);
        Build(space.Name, warm, catalog.Ids, 2);
        long bytes = 0;
        double sampled = 0, written = 0, parsed = 0, labelled = 0, build1 = 0, buildIntended = 0, buildAll = 0;
        double cpuAll = double.MaxValue;
        for (int round = 0; round < Rounds; round++)
        {
            // The stages in turn, the whole sequence twice, keeping each stage's best: later stages must not
            // look faster just because the JIT tiered up while earlier ones ran (or the shared machine calmed).
            bytes = 0;
            sampled = Math.Max(sampled, Rate(n, jobs, i => space.Sample(seed, i)));
            written = Math.Max(written, Rate(n, jobs, i => Interlocked.Add(ref bytes, GraphExporter.Write(space.Sample(seed, i).Graph, 1).Length)));
            parsed = Math.Max(parsed, Rate(n, jobs, i => OpGraph.FromModel(TfliteReader.Parse(GraphExporter.Write(space.Sample(seed, i).Graph, 1)))));
            labelled = Math.Max(labelled, Rate(n, jobs, i => Label(space, seed, i, oneEstimator)));
            build1 = Math.Max(build1, Build(space.Name, n, one));
            buildIntended = Math.Max(buildIntended, Build(space.Name, n, intended));
            buildAll = Math.Max(buildAll, Build(space.Name, n, catalog.Ids));
            cpuAll = Math.Min(cpuAll, lastCpuMsPerModel);
        }
        Console.WriteLine($"| {space.Name} | {n} | {bytes / 1024.0 / n:F0} | {sampled:F0} | {written:F0} | {parsed:F0} | {labelled:F0} | " +
                          $"{build1:F0} | {buildIntended:F0} ({intended.Length}) | {buildAll:F0} | {cpuAll:F2} | {jobs * 1000 / cpuAll:F0} |");
    }
}
finally
{
    if (Directory.Exists(root))
    {
        Directory.Delete(root, recursive: true);
    }
}
return 0;

double Build(string space, int n, IReadOnlyList<string> targets, ulong buildSeed = 1)
{
    string dir = Path.Combine(root, $"{space}-{targets.Count}-{buildSeed}");
    TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
    BuildResult r = DatasetBuilder.Build(new BuildRequest(space, n, targets) { Seed = buildSeed }, dir, new BuildOptions { Jobs = jobs });
    lastCpuMsPerModel = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / r.Built;
    Directory.Delete(dir, recursive: true);
    return r.Built / r.Elapsed.TotalSeconds;
}

static double Rate(int n, int jobs, Action<int> work)
{
    var clock = Stopwatch.StartNew();
    Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = jobs }, work);
    return n / clock.Elapsed.TotalSeconds;
}

static TargetEstimate[] Label(ISearchSpace space, ulong seed, int i, IEstimator[] estimators)
{
    OpGraph g = OpGraph.FromModel(TfliteReader.Parse(GraphExporter.Write(space.Sample(seed, i).Graph, 1)));
    return [.. estimators.Select(e => e.Estimate(g))];
}
