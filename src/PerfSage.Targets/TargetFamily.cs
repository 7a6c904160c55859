namespace PerfSage.Targets;

/// <summary>The kind of device a target is; each family has its own estimator.</summary>
public enum TargetFamily
{
    /// <summary>Arm Cortex-M CPU running TFLite Micro (or a vendor runtime); JSON <c>"cortex-m"</c>.</summary>
    CortexM,

    /// <summary>Arm Ethos-U55/U65 NPU beside a Cortex-M host, as Vela compiles for it; JSON <c>"ethos-u"</c>.</summary>
    EthosU,

    /// <summary>Mobile GPU running the TFLite GPU delegate; JSON <c>"mobile-gpu"</c>.</summary>
    MobileGpu,
}
