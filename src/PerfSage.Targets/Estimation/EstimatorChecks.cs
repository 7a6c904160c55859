namespace PerfSage.Targets;

/// <summary>Option checks shared by the estimators.</summary>
internal static class EstimatorChecks
{
    /// <summary>The clock to use: the override when given (must be finite and positive), else the default.</summary>
    public static double Clock(TargetSpec spec, EstimateOptions options)
    {
        if (options.ClockMhz is double mhz)
        {
            if (!double.IsFinite(mhz) || mhz <= 0)
            {
                throw new TargetException(FormattableString.Invariant(
                    $"clock {mhz} MHz for {spec.Id} is not a positive number"));
            }
            return mhz;
        }
        return spec.ClockMhz.Value;
    }
}
