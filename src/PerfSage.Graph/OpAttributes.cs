using PerfSage.Tflite;

namespace PerfSage.Graph;

/// <summary>Padding of a windowed operator; <see cref="None"/> for operators without a window.</summary>
public enum OpPadding
{
    None = 0,
    Same = 1,
    Valid = 2,
}

/// <summary>
/// Operator attributes normalised across option tables, so features and estimators read one shape of
/// record. Kernel sizes of convolutions come from the filter tensor, of pooling from the options.
/// Defaults (1 for kernel, stride, dilation and multiplier; <see cref="OpPadding.None"/>; no activation;
/// no axis) mean "not applicable".
/// </summary>
public sealed record OpAttributes
{
    /// <summary>Attributes of an operator without any.</summary>
    public static OpAttributes Empty { get; } = new();

    public int KernelH { get; init; } = 1;
    public int KernelW { get; init; } = 1;

    /// <summary>Kernel depth (CONV_3D, CONV_3D_TRANSPOSE); 1 otherwise.</summary>
    public int KernelD { get; init; } = 1;

    public int StrideH { get; init; } = 1;
    public int StrideW { get; init; } = 1;
    public int StrideD { get; init; } = 1;
    public int DilationH { get; init; } = 1;
    public int DilationW { get; init; } = 1;
    public int DilationD { get; init; } = 1;
    public OpPadding Padding { get; init; }
    public int DepthMultiplier { get; init; } = 1;
    public ActivationFunctionType FusedActivation { get; init; }

    /// <summary>The axis of CONCATENATION, GATHER, PACK, UNPACK, SPLIT (from a constant input) and the first
    /// reduced axis of reductions (from a constant input); null when the op has none or it is not constant.</summary>
    public int? Axis { get; init; }

    /// <summary>The decoded options (for anything not normalised above), or null.</summary>
    public OperatorOptions? Options { get; init; }
}
