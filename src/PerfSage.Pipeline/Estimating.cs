using PerfSage.Graph;
using PerfSage.Targets;

namespace PerfSage.Pipeline;

/// <summary>One model's reference estimate on one target.</summary>
/// <param name="Model">The model's path as given.</param>
/// <param name="Graph">Its operator graph.</param>
/// <param name="Estimate">The estimate.</param>
public sealed record EstimatedRow(string Model, OpGraph Graph, TargetEstimate Estimate);

/// <summary><c>perfsage estimate</c>: every model on every target with the reference estimators.</summary>
public static class Estimating
{
    /// <summary>Reads each model (<see cref="ModelLoader"/>) and estimates it on each target, model by model in the order
    /// given. A Cortex-M software stack in <paramref name="options"/> applies to CPU stacks: a GPU target in the same
    /// run ignores it rather than failing the run.</summary>
    public static IReadOnlyList<EstimatedRow> Run(IReadOnlyList<string> models, IReadOnlyList<TargetSpec> targets, EstimateOptions options)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        var rows = new List<EstimatedRow>(models.Count * targets.Count);
        foreach (string path in models)
        {
            (_, OpGraph graph) = ModelLoader.Load(path);
            foreach (TargetSpec spec in targets)
            {
                EstimateOptions used = options.Stack is not null && spec.Family == TargetFamily.MobileGpu ? options with { Stack = null } : options;
                rows.Add(new EstimatedRow(path, graph, Estimator.For(spec).Estimate(graph, used)));
            }
        }
        return rows;
    }

    /// <summary>Reads each model and estimates it on each board preset (<see cref="BoardEstimator"/>), model by model in
    /// the order given; every estimate carries its board (<see cref="TargetEstimate.Board"/>).</summary>
    public static IReadOnlyList<EstimatedRow> RunBoards(IReadOnlyList<string> models, IReadOnlyList<Board> boards, EstimateOptions options)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(boards);
        ArgumentNullException.ThrowIfNull(options);
        var rows = new List<EstimatedRow>(models.Count * boards.Count);
        foreach (string path in models)
        {
            (_, OpGraph graph) = ModelLoader.Load(path);
            foreach (Board board in boards)
            {
                EstimateOptions used = options.Stack is not null && board.Target.Family == TargetFamily.MobileGpu ? options with { Stack = null } : options;
                rows.Add(new EstimatedRow(path, graph, BoardEstimator.Estimate(board, graph, used)));
            }
        }
        return rows;
    }
}
