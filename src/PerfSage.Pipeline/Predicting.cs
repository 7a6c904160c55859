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
public sealed record PredictedRow(string Model, string Target, Prediction Prediction, TargetEstimate? Reference)
{
    /// <summary>The board preset the row is for (<see cref="Predicting.PredictBoards"/>), or null.</summary>
    public string? Board { get; init; }
}

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

    /// <summary>
    /// One row per input and board, in input order, then board order (<c>predict --board</c>, docs/BOARDS.md). The model
    /// predicts the board's target at the catalog clock; the board scales it without new heads:
    /// latency × (board reference cycles / target reference cycles) × (catalog clock / board clock), the cycle ratio
    /// carrying the board's flash stream; energy = the board's power model at its clock × that latency; peak RAM and
    /// flash unchanged. The reference beside it is the board's estimate (<see cref="BoardEstimator"/>).
    /// </summary>
    /// <exception cref="UserInputException">A board whose target the model has no heads for.</exception>
    public static IReadOnlyList<PredictedRow> PredictBoards(Predictor predictor, IReadOnlyList<PredictInput> inputs, IReadOnlyList<Board> boards,
        string modelDir)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(boards);
        foreach (Board board in boards)
        {
            if (!predictor.HasTarget(board.TargetId))
            {
                throw new UserInputException(
                    $"board '{board.Id}': the model {modelDir} has no heads for its target {board.TargetId} (its targets: {string.Join(", ", predictor.Targets)}); 'perfsage estimate --board {board.Id}' needs no model");
            }
        }
        string[] targets = [.. boards.Select(b => b.TargetId)];
        var rows = new List<PredictedRow>();
        foreach ((string path, OpGraph graph, GraphFeatures features) in inputs)
        {
            IReadOnlyList<Prediction> predictions = predictor.PredictTargets(features, targets);
            for (int i = 0; i < boards.Count; i++)
            {
                Board board = boards[i];
                TargetEstimate? onTarget = Estimate(() => Estimator.For(board.Target).Estimate(graph));
                TargetEstimate? onBoard = Estimate(() => BoardEstimator.Estimate(board, graph));
                rows.Add(new PredictedRow(path, board.TargetId, ScaleToBoard(board, predictions[i], onTarget, onBoard), onBoard) { Board = board.Id });
            }
        }
        return rows;
    }

    /// <summary>A prediction for <paramref name="board"/>'s target at the catalog clock, moved to the board (see
    /// <see cref="PredictBoards"/>); the cycle ratio is 1 when either reference estimate is missing.</summary>
    public static Prediction ScaleToBoard(Board board, Prediction prediction, TargetEstimate? onTarget, TargetEstimate? onBoard)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(prediction);
        if (prediction.Error is not null || prediction.LatencyMs is not double latencyMs)
        {
            return prediction;
        }
        double cycleRatio = onTarget is { Cycles: > 0 } t && onBoard is { Cycles: > 0 } b ? (double)b.Cycles / t.Cycles : 1.0;
        double boardLatencyMs = latencyMs * cycleRatio * board.Target.ClockMhz.Value / board.ClockMhz.Value;
        double boardEnergyMj = board.PowerMw(board.ClockMhz.Value) * boardLatencyMs / 1000.0;
        if (!Prediction.IsPlausible(boardLatencyMs) || !Prediction.IsPlausible(boardEnergyMj))
        {
            return prediction with
            {
                LatencyMs = null, EnergyMj = null, PeakRamKb = null, FlashKb = null,
                Error = $"scaled to board {board.Id} the prediction is not plausible",
            };
        }
        return prediction with { LatencyMs = boardLatencyMs, EnergyMj = boardEnergyMj };
    }

    private static TargetEstimate? Estimate(Func<TargetEstimate> estimate)
    {
        try
        {
            return estimate();
        }
        catch (TargetException)
        {
            return null;
        }
    }
}
