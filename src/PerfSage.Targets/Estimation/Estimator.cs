using PerfSage.Graph;

namespace PerfSage.Targets;

/// <summary>Picks the estimator of a target's family.</summary>
public static class Estimator
{
    /// <summary>The estimator for <paramref name="target"/>. Cheap: estimators hold only the spec. Every estimate
    /// it returns has passed <see cref="EstimatePlausibility.Check"/>.</summary>
    public static IEstimator For(TargetSpec target)
    {
        ArgumentNullException.ThrowIfNull(target);
        IEstimator family = target switch
        {
            CortexMSpec m => new CortexMEstimator(m),
            EthosUSpec u => new EthosUEstimator(u),
            MobileGpuSpec g => new MobileGpuEstimator(g),
            _ => throw new TargetException($"no estimator for target family {target.Family} ({target.Id})"),
        };
        return new CheckedEstimator(family);
    }

    /// <summary>A family's estimator whose results are checked for plausibility.</summary>
    private sealed class CheckedEstimator(IEstimator inner) : IEstimator
    {
        public TargetSpec Target => inner.Target;

        public TargetEstimate Estimate(OpGraph graph, EstimateOptions? options = null) =>
            EstimatePlausibility.Check(graph, inner.Estimate(graph, options));
    }
}
