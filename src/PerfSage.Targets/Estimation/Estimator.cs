namespace PerfSage.Targets;

/// <summary>Picks the estimator of a target's family.</summary>
public static class Estimator
{
    /// <summary>The estimator for <paramref name="target"/>. Cheap: estimators hold only the spec.</summary>
    public static IEstimator For(TargetSpec target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target switch
        {
            CortexMSpec m => new CortexMEstimator(m),
            EthosUSpec u => new EthosUEstimator(u),
            MobileGpuSpec g => new MobileGpuEstimator(g),
            _ => throw new TargetException($"no estimator for target family {target.Family} ({target.Id})"),
        };
    }
}
