using PerfSage.Graph;
using PerfSage.Graph.Features;
using PerfSage.Model;
using PerfSage.Targets;

namespace PerfSage.Pipeline;

/// <summary>A model file read for prediction: its graph (for the reference estimate) and its features.</summary>
/// <param name="Path">The path as given.</param>
/// <param name="Graph">The graph.</param>
/// <param name="Features">The graph's features.</param>
public sealed record PredictInput(string Path, OpGraph Graph, GraphFeatures Features);

/// <summary>One prediction of <c>perfsage predict</c>: a model on a target, with the reference estimate beside it.</summary>
/// <param name="Model">The model path as given.</param>
/// <param name="Target">The target.</param>
/// <param name="Prediction">The prediction (its <see cref="Prediction.Error"/> set when the network could not make one).</param>
/// <param name="Reference">The reference estimate, or null when there is none (<see cref="ModelTargets.Reference"/>).</param>
public sealed record PredictedRow(string Model, string Target, Prediction Prediction, TargetEstimate? Reference);

/// <summary>Predictions of single model files on chosen targets, one forward pass per file.</summary>
public static class Predicting
{
    /// <summary>Reads, parses and featurizes <paramref name="path"/> (<see cref="ModelLoader"/>).</summary>
    public static PredictInput Read(string path)
    {
        (_, OpGraph graph) = ModelLoader.Load(path);
        return new PredictInput(path, graph, Featurizer.Featurize(graph));
    }

    /// <summary>One row per input and target, in input order, then target order.</summary>
    public static IReadOnlyList<PredictedRow> Predict(Predictor predictor, IReadOnlyList<PredictInput> inputs, IReadOnlyList<string> targets,
        TargetCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        var rows = new List<PredictedRow>();
        foreach ((string path, OpGraph graph, GraphFeatures features) in inputs)
        {
            // One forward pass gives every head; each target takes its columns.
            IReadOnlyList<Prediction> predictions = predictor.PredictTargets(features, targets);
            for (int t = 0; t < targets.Count; t++)
            {
                rows.Add(new PredictedRow(path, targets[t], predictions[t], ModelTargets.Reference(catalog, targets[t], graph)));
            }
        }
        return rows;
    }
}
