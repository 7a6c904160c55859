using PerfSage.Graph.Features;

namespace PerfSage.Model.Tests;

/// <summary>Small trained models shared by the storage and inference tests (trained once per test run).</summary>
internal static class TestModels
{
    private static readonly Lazy<(TrainedModel Model, List<TrainingSample> Samples)> SmallLazy = new(TrainSmall);
    private static readonly Lazy<(TrainedModel Model, List<TrainingSample> Samples, List<EpochReport> Reports)> ChainsLazy = new(TrainChains);

    /// <summary>The options of <see cref="Chains"/>: 20 epochs, batch 16, learning rate 3e-3, seed 1, 2 threads.</summary>
    public static TrainOptions ChainsOptions { get; } = new()
    {
        Epochs = 20, BatchSize = 16, LearningRate = 3e-3, Seed = 1, Threads = 2, Patience = 0,
    };

    /// <summary>A model of the synthetic latency law (<see cref="SyntheticGraphs.LatencyMs"/>) trained on 300 chains
    /// (240 train, 30 validation, 30 test) with <see cref="ChainsOptions"/>. Shared: do not dispose.</summary>
    public static TrainedModel Chains => ChainsLazy.Value.Model;

    public static List<TrainingSample> ChainsSamples => ChainsLazy.Value.Samples;

    public static List<EpochReport> ChainsReports => ChainsLazy.Value.Reports;

    /// <summary>Two epochs on 60 chains, heads <c>a/latency_ms</c>, <c>a/peak_ram_kb</c> and <c>b/latency_ms</c>.
    /// Shared: do not dispose.</summary>
    public static TrainedModel Small => SmallLazy.Value.Model;

    /// <summary>The samples <see cref="Small"/> was trained on.</summary>
    public static List<TrainingSample> SmallSamples => SmallLazy.Value.Samples;

    /// <summary>Chains labelled for targets <c>a</c> (latency and peak RAM) and <c>b</c> (latency only).</summary>
    public static List<TrainingSample> MultiHeadSamples(int count, int seed) =>
        SyntheticGraphs.Samples(count, seed).Select(s =>
        {
            double latency = s.Labels[("m", Metric.LatencyMs)];
            double ramKb = Math.Pow(2, s.Features.GraphFeatureValues[FeatureSchema.GraphColumn.ArenaPeakBytesLog2]) / 1024;
            var labels = new Dictionary<(string, Metric), double>
            {
                [("a", Metric.LatencyMs)] = latency,
                [("a", Metric.PeakRamKb)] = ramKb,
                [("b", Metric.LatencyMs)] = 3 * latency,
            };
            return s with { Labels = labels };
        }).ToList();

    private static (TrainedModel, List<TrainingSample>, List<EpochReport>) TrainChains()
    {
        List<TrainingSample> samples = SyntheticGraphs.Samples(300, seed: 1);
        var reports = new List<EpochReport>();
        return (Trainer.Train(samples, ChainsOptions, new SyncProgress(reports.Add)), samples, reports);
    }

    private static (TrainedModel, List<TrainingSample>) TrainSmall()
    {
        List<TrainingSample> samples = MultiHeadSamples(60, seed: 11);
        var options = new TrainOptions { Epochs = 2, BatchSize = 16, LearningRate = 1e-2, Seed = 3, Threads = 2, Patience = 0 };
        return (Trainer.Train(samples, options), samples);
    }
}
