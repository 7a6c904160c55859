using System.Globalization;
using PerfSage.Graph;

namespace PerfSage.Targets;

/// <summary>
/// The estimate of a model on a board preset (docs/BOARDS.md):
/// <list type="bullet">
/// <item>latency: the board's target (its core, or its NPU) costed in cycles as the catalog does, at the board's clock
/// (or <see cref="EstimateOptions.ClockMhz"/>), with a Cortex-M core's weight stream read at the board's flash rate
/// (flash line bytes per wait states + 1 cycles) and the board's SRAM and flash capacities in the notes;</item>
/// <item>energy: the board's power model <see cref="Board.PowerMw"/> at that clock × the latency.</item>
/// </list>
/// </summary>
public static class BoardEstimator
{
    /// <summary>The estimate of <paramref name="graph"/> on <paramref name="board"/>; checked by
    /// <see cref="EstimatePlausibility.Check"/>. <paramref name="options"/> may set a clock or a stack.</summary>
    public static TargetEstimate Estimate(Board board, OpGraph graph, EstimateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(graph);
        options ??= EstimateOptions.Default;
        RequireTarget(board);
        double clockMhz = options.ClockMhz ?? board.ClockMhz.Value;
        EstimateOptions used = options with
        {
            ClockMhz = clockMhz,
            Memory = new BoardMemory(board.Id, board.SramKb.Value, board.FlashKb.Value, board.FlashBytesPerCycle),
        };
        TargetEstimate e = Estimator.For(board.Target).Estimate(graph, used);
        double powerMw = board.PowerMw(e.ClockMhz);
        var notes = new List<string>(e.Notes)
        {
            string.Create(CultureInfo.InvariantCulture,
                $"board {board.Id}: {board.Part}, energy from its power model ({powerMw:0.##} mW at {e.ClockMhz:0.###} MHz)"),
        };
        TargetEstimate result = e with
        {
            EnergyMj = powerMw * e.LatencyMs / 1000.0,
            Notes = notes,
            Board = board.Id,
        };
        return EstimatePlausibility.Check(graph, result);
    }

    /// <summary>
    /// Scales a prediction made for the board's target at the catalog clock to the board (what <c>predict --board</c>
    /// does, docs/BOARDS.md): cycles are kept, so latency × (catalog clock / board clock); energy = board power at the
    /// board clock × that latency. Returns (latency ms, energy mJ).
    /// </summary>
    public static (double LatencyMs, double EnergyMj) Scale(Board board, double targetLatencyMs, double? clockMhz = null)
    {
        ArgumentNullException.ThrowIfNull(board);
        RequireTarget(board);
        double clock = clockMhz ?? board.ClockMhz.Value;
        double latencyMs = targetLatencyMs * board.Target.ClockMhz.Value / clock;
        return (latencyMs, board.PowerMw(clock) * latencyMs / 1000.0);
    }

    /// <summary>A board read on its own (<see cref="BoardCatalog.ReadFile"/>) has no target until a catalog resolves it.</summary>
    private static void RequireTarget(Board board)
    {
        if (board.Target is null)
        {
            throw new TargetException($"{board.FilePath}: board '{board.Id}' has no resolved target: load it with BoardCatalog.Load");
        }
    }
}
