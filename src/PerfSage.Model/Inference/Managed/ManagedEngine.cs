using PerfSage.Graph.Features;
using PerfSage.Model.Nn;

namespace PerfSage.Model.Inference.Managed;

/// <summary>The managed engine behind a <see cref="Predictor"/>: scales and checks each graph as the TorchSharp path does
/// (<see cref="TrainedModel"/>, <see cref="GraphBatch"/>), then runs <see cref="ManagedNetwork"/> for the heads asked for,
/// graphs in parallel when given threads. Stateless after loading: thread-safe without a lock.</summary>
internal sealed class ManagedEngine : IPredictionEngine
{
    private readonly ManagedNetwork _network;

    private ManagedEngine(ManagedNetwork network)
    {
        _network = network;
        Heads = network.Heads.Select(h => h.Key).ToArray();
    }

    /// <summary>Loads the model folder <paramref name="directory"/> (see <see cref="ModelFolderReader.Read"/>).</summary>
    public static ManagedEngine Load(string directory) => new(ManagedNetwork.FromFolder(ModelFolderReader.Read(directory)));

    public PredictionEngine Kind => PredictionEngine.Managed;

    public ModelManifest Manifest => _network.Manifest;

    public IReadOnlyList<HeadKey> Heads { get; }

    public float[][] PredictLog(IReadOnlyList<GraphFeatures> graphs, int[] heads, int batchSize, int threads)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        ArgumentNullException.ThrowIfNull(heads);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var result = new float[graphs.Count][];
        for (int i = 0; i < graphs.Count; i++)
        {
            GraphFeatures g = graphs[i] ?? throw new ArgumentException($"graph {i} is null", nameof(graphs));
            GraphChecks.EnsureSchema(Manifest, g, i);
        }
        if (threads == 1 || graphs.Count < 2)
        {
            for (int i = 0; i < graphs.Count; i++)
            {
                result[i] = One(graphs[i], i % batchSize, heads);
            }
            return result;
        }
        var failures = new Exception?[graphs.Count];
        Parallel.For(0, graphs.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            try
            {
                result[i] = One(graphs[i], i % batchSize, heads);
            }
            catch (ModelFormatException e)
            {
                failures[i] = e;
            }
        });
        if (failures.FirstOrDefault(f => f is not null) is { } first)
        {
            throw first; // the first graph's, as the sequential pass would report it
        }
        return result;
    }

    private float[] One(GraphFeatures raw, int indexInBatch, int[] heads)
    {
        GraphFeatures scaled = Manifest.Normalisation.Scale(raw);
        GraphChecks.Check(scaled, indexInBatch);
        var row = new float[heads.Length];
        _network.PredictLog(scaled, heads, row);
        return row;
    }

    public void Dispose()
    {
        // Managed arrays only: nothing to release.
    }
}
