using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using PerfSage.Graph;
using PerfSage.Tests.Common;
using PerfSage.Tflite;
using Xunit;
using Xunit.Abstractions;

namespace PerfSage.Targets.Tests;

/// <summary>Every model of <c>../shared/models</c> (all inventory rows) on every target: no exceptions, sane numbers, thread
/// safety, and the throughput the benchmark phase will measure.</summary>
public sealed class RealModelTests(ITestOutputHelper output)
{
    private static readonly TargetCatalog Catalog = TargetCatalog.LoadDefault();

    /// <summary>Every model file under <c>models/</c>: inventory rows must read and build (a zero-subgraph row
    /// must be refused with <see cref="OpGraphException"/>); files outside the inventory must be in a folder the
    /// shared README lists as not models, and the reader must reject them. Anything else fails the test.</summary>
    private static List<OpGraph> LoadAll(string root)
    {
        Dictionary<string, Dictionary<string, string>> inventory =
            ModelInventory.RequireRows().ToDictionary(r => r["file"], StringComparer.Ordinal);
        var graphs = new List<OpGraph>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(root, "models"), "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".tflite", StringComparison.Ordinal) || f.EndsWith(".bin", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(Path.Combine(root, "models"), file).Replace('\\', '/');
            if (!inventory.TryGetValue(relative, out Dictionary<string, string>? row))
            {
                Assert.True(ModelInventory.RejectionReason(relative) is not null, $"{relative}: not in the inventory");
                Assert.Throws<TfliteFormatException>(() => TfliteReader.ReadFile(file));
                continue;
            }
            TfliteModel model = TfliteReader.ReadFile(file);
            if (row["subgraphs"] == "0")
            {
                Assert.Throws<OpGraphException>(() => OpGraph.FromModel(model));
                continue;
            }
            graphs.Add(OpGraph.FromModel(model));
        }
        Assert.Equal(inventory.Values.Count(r => r["subgraphs"] != "0"), graphs.Count);
        return graphs;
    }

    [SkippableFact]
    public void Every_shared_model_estimates_on_every_target()
    {
        string root = SharedData.RequireRoot();
        List<OpGraph> graphs = LoadAll(root);
        Assert.True(graphs.Count > 100, $"only {graphs.Count} models read");
        int unsupportedTotal = 0;
        foreach (TargetSpec target in Catalog.Targets)
        {
            IEstimator estimator = Estimator.For(target);
            foreach (OpGraph g in graphs)
            {
                TargetEstimate e = estimator.Estimate(g);
                Assert.Equal(g.Nodes.Length, e.Layers.Count);
                Assert.True(double.IsFinite(e.LatencyMs) && e.LatencyMs >= 0, $"{target.Id} {g.Name}: latency {e.LatencyMs}");
                Assert.True(double.IsFinite(e.EnergyMj) && e.EnergyMj >= 0, $"{target.Id} {g.Name}: energy {e.EnergyMj}");
                Assert.True(e.PeakRamKb >= 0 && e.FlashKb >= 0, $"{target.Id} {g.Name}");
                if (g.Nodes.Length > 0)
                {
                    Assert.True(e.LatencyMs > 0, $"{target.Id} {g.Name}: zero latency for {g.Nodes.Length} ops");
                }
                foreach (OpNode node in g.Nodes)
                {
                    if (!node.IsSupported)
                    {
                        // Operators without a cost rule are always listed, never silently zero.
                        Assert.True(e.UnsupportedOps.Any(u => u.OpIndex == node.Index), $"{target.Id} {g.Name} op {node.Index} {node.TypeName} not listed");
                        Assert.True(e.Layers[node.Index].Cycles > 0 || e.Layers[node.Index].LatencyMs > 0, $"{target.Id} {g.Name} op {node.Index}");
                    }
                }
                unsupportedTotal += e.UnsupportedOps.Count;
            }
        }
        output.WriteLine($"{graphs.Count} models × {Catalog.Targets.Count} targets; {unsupportedTotal} unsupported-op entries");
    }

    [SkippableFact]
    public void Estimates_are_thread_safe_and_report_throughput()
    {
        string root = SharedData.RequireRoot();
        List<OpGraph> graphs = LoadAll(root);
        IEstimator[] estimators = Catalog.Targets.Select(Estimator.For).ToArray();
        var sequential = new Dictionary<(int, int), double>();
        var clock = Stopwatch.StartNew();
        for (int t = 0; t < estimators.Length; t++)
        {
            for (int m = 0; m < graphs.Count; m++)
            {
                sequential[(t, m)] = estimators[t].Estimate(graphs[m]).LatencyMs;
            }
        }
        clock.Stop();
        int count = estimators.Length * graphs.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} estimates ({graphs.Count} models × {estimators.Length} targets) in {clock.Elapsed.TotalMilliseconds:0} ms: {count / clock.Elapsed.TotalSeconds:0} estimates/s on one thread"));

        var parallel = new ConcurrentDictionary<(int, int), double>();
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            int t = i % estimators.Length, m = i / estimators.Length;
            parallel[(t, m)] = estimators[t].Estimate(graphs[m]).LatencyMs;
        });
        foreach (KeyValuePair<(int, int), double> kv in sequential)
        {
            Assert.Equal(kv.Value, parallel[kv.Key]);
        }
    }
}
