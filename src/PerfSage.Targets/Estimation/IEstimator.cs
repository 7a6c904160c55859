using PerfSage.Graph;

namespace PerfSage.Targets;

/// <summary>
/// A reference estimator for one target. Implementations are immutable and thread-safe: one instance may
/// estimate many graphs from many threads at once.
/// </summary>
public interface IEstimator
{
    /// <summary>The target this estimator costs for.</summary>
    TargetSpec Target { get; }

    /// <summary>Latency, energy, memory and a per-layer breakdown of <paramref name="graph"/> (batch 1, one
    /// inference). Operators without a cost rule are costed by a documented fallback and listed in
    /// <see cref="TargetEstimate.UnsupportedOps"/>. Throws <see cref="TargetException"/> for options that do not
    /// apply to the target.</summary>
    TargetEstimate Estimate(OpGraph graph, EstimateOptions? options = null);
}
