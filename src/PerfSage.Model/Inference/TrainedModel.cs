using PerfSage.Graph.Features;
using PerfSage.Model.Nn;
using static TorchSharp.torch;

namespace PerfSage.Model;

/// <summary>
/// A trained network with its manifest (and, after training or loading, its held-out metrics). Made by
/// <see cref="Trainer.Train"/> or <see cref="ModelFolder.Load"/>; saved with <see cref="ModelFolder.Save"/>;
/// used through <see cref="Predictor"/>. Owns native memory: dispose it. Predictions are serialised by a
/// lock, so one instance may be shared between threads.
/// </summary>
public sealed class TrainedModel : IDisposable
{
    private readonly Lock _gate = new();
    private bool _disposed;

    internal TrainedModel(PerfSageNet net, Device device, ModelManifest manifest, ModelMetrics? metrics,
        IReadOnlyList<EpochReport> history)
    {
        Net = net;
        Device = device;
        Manifest = manifest;
        Metrics = metrics;
        History = history;
        Heads = net.Heads.Select(h => h.Key).ToList();
    }

    /// <summary>Everything <c>manifest.json</c> holds.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>Held-out accuracy (<c>metrics.json</c>), or null when there was no held-out data.</summary>
    public ModelMetrics? Metrics { get; internal set; }

    /// <summary>The epochs of the training run that made this model (empty after loading).</summary>
    public IReadOnlyList<EpochReport> History { get; }

    /// <summary>The heads, in output order.</summary>
    public IReadOnlyList<HeadKey> Heads { get; }

    /// <summary>The targets with at least one head.</summary>
    public IReadOnlyList<string> Targets => Manifest.Targets();

    internal PerfSageNet Net { get; }

    internal Device Device { get; }

    /// <summary>
    /// ln of every head's prediction for every graph, [graph][head], batched under <c>no_grad</c> with one
    /// dispose scope per batch. Raw features are scaled with the manifest's statistics first.
    /// </summary>
    internal float[][] PredictLog(IReadOnlyList<GraphFeatures> graphs, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var scaled = new GraphFeatures[graphs.Count];
        for (int i = 0; i < scaled.Length; i++)
        {
            GraphFeatures g = graphs[i] ?? throw new ArgumentException($"graph {i} is null", nameof(graphs));
            GraphChecks.EnsureSchema(Manifest, g, i);
            scaled[i] = Manifest.Normalisation.Scale(g);
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return NetRunner.PredictLog(Net, Device, scaled, batchSize);
        }
    }

    internal void ThrowIfDisposed()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _disposed = true;
                Net.Dispose();
            }
        }
    }
}
