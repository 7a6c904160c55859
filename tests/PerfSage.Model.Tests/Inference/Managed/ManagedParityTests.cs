using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Graph.Features;
using PerfSage.Tflite;
using PerfSage.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace PerfSage.Model.Tests.Inference.Managed;

/// <summary>
/// The managed engine against TorchSharp, the training engine and the reference (issue #13 item 1): every head of the
/// shipped model on 1,000 graphs of every search space and on every readable real model of <c>../shared/models</c>
/// agrees within 1e-4 relative. The two sides share no arithmetic: TorchSharp runs libtorch's kernels on
/// <c>PerfSageNet</c>, the managed engine its own SIMD loops over the weights it parses from <c>weights.bin</c>.
/// </summary>
[Collection(TorchStateGroup.Name)]
public sealed class ManagedParityTests(ITestOutputHelper output)
{
    /// <summary>The parity the issue asks for: |managed − torch| / torch on each predicted value.</summary>
    private const double Tolerance = 1e-4;

    private static readonly int GraphsPerSpace = int.TryParse(Environment.GetEnvironmentVariable("PERFSAGE_PARITY_GRAPHS"), out int n) && n > 0 ? n : 1000;

    private const ulong Seed = 13;

    internal static string ShippedModel => Path.Combine(
        typeof(ManagedParityTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PerfSageRepoRoot").Value!,
        "models", "perfsage-default");

    [Fact]
    public void Every_head_matches_TorchSharp_on_a_thousand_graphs_of_every_search_space()
    {
        // One libtorch thread: on a busy machine its OpenMP pool spin-waits (measured here: 5x slower with all cores).
        TorchRuntime.EnsureLoaded(1, TorchRuntime.DefaultSeed);
        using Predictor torch = Predictor.Load(ShippedModel, PredictionEngine.Torch);
        using Predictor managed = Predictor.Load(ShippedModel, PredictionEngine.Managed);
        Assert.Equal(60, managed.Heads.Count);
        double worst = 0;
        foreach (ISearchSpace space in SearchSpaces.All)
        {
            long start = Stopwatch.GetTimestamp();
            var graphs = new GraphFeatures[GraphsPerSpace];
            Parallel.For(0, GraphsPerSpace, i => graphs[i] = Featurizer.Featurize(space.Sample(Seed, i).Graph));
            TimeSpan drawn = Stopwatch.GetElapsedTime(start);
            double spaceWorst = Compare(torch, managed, graphs, space.Name, out TimeSpan torchTime, out TimeSpan managedTime);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{space.Name}: {GraphsPerSpace} graphs, {graphs.Sum(g => g.NodeCount)} nodes, max relative difference {spaceWorst:E2} "
                + $"(drawn and featurized in {drawn.TotalSeconds:F1} s, torch {torchTime.TotalSeconds:F1} s, managed {managedTime.TotalSeconds:F1} s)"));
            worst = Math.Max(worst, spaceWorst);
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"all spaces: max relative difference {worst:E2}"));
    }

    [SkippableFact]
    public void Every_head_matches_TorchSharp_on_the_real_models()
    {
        string root = SharedData.Require("models");
        var graphs = new List<GraphFeatures>();
        int unreadable = 0;
        foreach (string path in Directory.EnumerateFiles(root, "*.tflite", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                OpGraph graph = OpGraph.FromModel(TfliteReader.Parse(File.ReadAllBytes(path), path));
                graphs.Add(Featurizer.Featurize(graph));
            }
            catch (Exception e) when (e is TfliteFormatException or OpGraphException)
            {
                unreadable++;
            }
        }
        Skip.If(graphs.Count == 0, $"{root} holds no readable .tflite model");
        TorchRuntime.EnsureLoaded(1, TorchRuntime.DefaultSeed);
        using Predictor torch = Predictor.Load(ShippedModel, PredictionEngine.Torch);
        using Predictor managed = Predictor.Load(ShippedModel, PredictionEngine.Managed);
        double worst = Compare(torch, managed, graphs, "real models", out _, out _);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{graphs.Count} readable real models ({unreadable} unreadable), {graphs.Sum(g => g.NodeCount)} nodes: max relative difference {worst:E2}"));
    }

    /// <summary>Checks every head of every graph; returns the largest relative difference.</summary>
    private static double Compare(Predictor torch, Predictor managed, IReadOnlyList<GraphFeatures> graphs, string what,
        out TimeSpan torchTime, out TimeSpan managedTime)
    {
        long start = Stopwatch.GetTimestamp();
        float[][] expected = torch.PredictLogAll(graphs, 256);
        torchTime = Stopwatch.GetElapsedTime(start);
        start = Stopwatch.GetTimestamp();
        float[][] actual = managed.PredictLogAll(graphs, 256, threads: 2);
        managedTime = Stopwatch.GetElapsedTime(start);
        double worst = 0;
        for (int i = 0; i < graphs.Count; i++)
        {
            for (int k = 0; k < managed.Heads.Count; k++)
            {
                // Values are e^ln; their relative difference is |e^(ln_m - ln_t) - 1|.
                double relative = Math.Abs(Math.Exp((double)actual[i][k] - expected[i][k]) - 1);
                Assert.True(float.IsFinite(expected[i][k]) && relative <= Tolerance, string.Create(CultureInfo.InvariantCulture,
                    $"{what} graph {i} ({graphs[i].NodeCount} nodes), head {managed.Heads[k].Key}: managed ln {actual[i][k]:R}, torch ln {expected[i][k]:R} (relative {relative:E2})"));
                worst = Math.Max(worst, relative);
            }
        }
        return worst;
    }
}
