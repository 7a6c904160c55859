using PerfSage.Graph.Features;

namespace PerfSage.Model;

/// <summary>The TorchSharp engine behind a <see cref="Predictor"/>: a <see cref="TrainedModel"/> computes every head, the
/// heads asked for are taken from its output. Only this class (and what it calls) touches TorchSharp on the prediction path.</summary>
internal sealed class TorchEngine(TrainedModel model, bool ownsModel) : IPredictionEngine
{
    public PredictionEngine Kind => PredictionEngine.Torch;

    public ModelManifest Manifest => model.Manifest;

    public IReadOnlyList<HeadKey> Heads => model.Heads;

    public float[][] PredictLog(IReadOnlyList<GraphFeatures> graphs, int[] heads, int batchSize, int threads)
    {
        ArgumentNullException.ThrowIfNull(heads);
        float[][] all = model.PredictLog(graphs, batchSize);
        var result = new float[all.Length][];
        for (int i = 0; i < all.Length; i++)
        {
            var row = new float[heads.Length];
            for (int j = 0; j < heads.Length; j++)
            {
                row[j] = all[i][heads[j]];
            }
            result[i] = row;
        }
        return result;
    }

    public void Dispose()
    {
        if (ownsModel)
        {
            model.Dispose();
        }
    }
}
