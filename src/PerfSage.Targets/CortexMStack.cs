namespace PerfSage.Targets;

/// <summary>The software that runs a model on a Cortex-M core. On one core the stack alone moves the cost
/// per MAC by up to about 6x (MLPerf Tiny, L4R5ZI: 8.2 c/MAC with TFLM 2.3.1 reference kernels, 1.4 with
/// X-CUBE-AI).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix",
    Justification = "'stack' is the software stack (runtime and kernels), the word the MLPerf Tiny results and the CLI use")]
public enum CortexMStack
{
    /// <summary>TFLite Micro with its portable reference kernels; <c>tflm-reference</c>.</summary>
    TflmReference,

    /// <summary>TFLite Micro with the CMSIS-NN optimised kernels (the default); <c>cmsis-nn</c>.</summary>
    CmsisNn,

    /// <summary>A vendor code generator or runtime (ST X-CUBE-AI, Plumerai); <c>vendor</c>.</summary>
    Vendor,
}

/// <summary>Names of <see cref="CortexMStack"/> values as the catalog and the CLI write them.</summary>
public static class CortexMStacks
{
    /// <summary>All stacks, in the order of the enum.</summary>
    public static IReadOnlyList<CortexMStack> All { get; } =
        [CortexMStack.TflmReference, CortexMStack.CmsisNn, CortexMStack.Vendor];

    /// <summary><c>tflm-reference</c>, <c>cmsis-nn</c> or <c>vendor</c>.</summary>
    public static string Name(CortexMStack stack) => stack switch
    {
        CortexMStack.TflmReference => "tflm-reference",
        CortexMStack.CmsisNn => "cmsis-nn",
        CortexMStack.Vendor => "vendor",
        _ => throw new ArgumentOutOfRangeException(nameof(stack), stack, "not a Cortex-M stack"),
    };

    /// <summary>Parses a stack name (case-insensitive); throws <see cref="TargetException"/> listing the
    /// valid names otherwise.</summary>
    public static CortexMStack Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryParse(name, out CortexMStack stack))
        {
            return stack;
        }
        throw new TargetException(
            $"unknown Cortex-M stack '{name}'; valid stacks: tflm-reference, cmsis-nn, vendor");
    }

    /// <summary>Parses a stack name (case-insensitive).</summary>
    public static bool TryParse(string? name, out CortexMStack stack)
    {
        switch (name?.Trim().ToUpperInvariant())
        {
            case "TFLM-REFERENCE":
                stack = CortexMStack.TflmReference;
                return true;
            case "CMSIS-NN":
                stack = CortexMStack.CmsisNn;
                return true;
            case "VENDOR":
                stack = CortexMStack.Vendor;
                return true;
            default:
                stack = default;
                return false;
        }
    }
}
