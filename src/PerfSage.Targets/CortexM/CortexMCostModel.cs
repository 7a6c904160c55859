using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Targets;

/// <summary>
/// The per-operator Cortex-M cost, shared by the Cortex-M estimator and by Ethos-U targets for the
/// operators that fall back to their host CPU:
/// <code>
/// compute = a_mac·MACs + a_el·element ops + a_out·output elements + a_byte·activation bytes + overhead
/// flash   = (weight + bias bytes) / flash bytes per cycle
/// cycles  = max(compute, flash)            (bound = flash when the stream is the longer)
/// </code>
/// with the coefficients of the node's <see cref="CortexMOpClass"/> for the chosen stack. Float operators
/// use the <c>tflm-reference</c> coefficients times the float32 factor (CMSIS-NN and vendor kernels are
/// integer-only); int16 activations multiply the stack's coefficients by the int16 factor.
/// </summary>
internal static class CortexMCostModel
{
    /// <summary>The cost of one node; <paramref name="unsupportedReason"/> is set when the node has no cost
    /// rule on Cortex-M (it is then costed with the <see cref="CortexMOpClass.Other"/> coefficients).</summary>
    public static NodeCost Cost(CortexMSpec spec, CortexMStack stack, OpNode node, out string? unsupportedReason) =>
        Cost(spec, stack, node, spec.FlashBytesPerCycle.Value, out unsupportedReason);

    /// <summary>As <see cref="Cost(CortexMSpec, CortexMStack, OpNode, out string?)"/> with a board's flash stream of
    /// <paramref name="flashBytesPerCycle"/> bytes per core cycle.</summary>
    public static NodeCost Cost(CortexMSpec spec, CortexMStack stack, OpNode node, double flashBytesPerCycle, out string? unsupportedReason)
    {
        CortexMOpClass opClass = CortexMOpClasses.Of(node);
        unsupportedReason = opClass == CortexMOpClass.Other ? UnsupportedReason(node) : null;
        CortexMStackCosts costs = spec.Stack(stack);
        CortexMCoefficients k = Coefficients(spec, stack, node, opClass);
        OpCost c = node.Cost;
        double compute = k.CyclesPerMac * c.Macs
            + k.CyclesPerElementOp * c.ElementOps
            + k.CyclesPerOutput * c.OutputElements
            + k.CyclesPerByte * (c.ActivationBytesRead + c.ActivationBytesWritten)
            + costs.PerOpOverheadCycles.Value;
        long flashBytes = c.WeightBytes + c.BiasBytes;
        double flash = flashBytes / flashBytesPerCycle;
        return flash > compute
            ? new NodeCost(flash, LayerBound.Flash, flashBytes, opClass)
            : new NodeCost(compute, LayerBound.Compute, flashBytes, opClass);
    }

    /// <summary>The coefficients that apply to <paramref name="node"/> on <paramref name="stack"/>.</summary>
    public static CortexMCoefficients Coefficients(CortexMSpec spec, CortexMStack stack, OpNode node, CortexMOpClass opClass)
    {
        if (IsFloat(node.DType))
        {
            return spec.Stack(CortexMStack.TflmReference)[opClass].Scale(spec.Float32Factor.Value);
        }
        CortexMCoefficients k = spec.Stack(stack)[opClass];
        return node.DType == TensorType.Int16 ? k.Scale(spec.Int16Factor.Value) : k;
    }

    /// <summary>Arena scratch a kernel requests for <paramref name="node"/> (CMSIS-NN im2col and
    /// depthwise buffers); 0 on other stacks and for 1×1 stride-1 convolutions, which need none.</summary>
    public static long ScratchBytes(CortexMSpec spec, CortexMStack stack, OpNode node)
    {
        if (stack != CortexMStack.CmsisNn || IsFloat(node.DType) || node.InputShape.Length != 4)
        {
            return 0;
        }
        OpAttributes a = node.Attributes;
        long taps = (long)a.KernelH * a.KernelW;
        int inDepth = node.InputShape[3];
        if (node.Family == OpFamily.Conv2D)
        {
            bool pointwise = taps == 1 && a.StrideH == 1 && a.StrideW == 1;
            return pointwise ? 0 : (long)Math.Ceiling(spec.ConvScratchBytesPerTap.Value * taps * inDepth);
        }
        if (node.Family == OpFamily.DepthwiseConv2D)
        {
            return (long)Math.Ceiling(spec.DepthwiseScratchBytesPerTap.Value * taps * inDepth);
        }
        return 0;
    }

    public static bool IsFloat(TensorType type) => type is TensorType.Float32 or TensorType.Float16
        or TensorType.Float64 or TensorType.BFloat16;

    public static string UnsupportedReason(OpNode node) =>
        node.IsCustom ? "custom operator: TFLM needs a user-registered kernel and PerfSage has no cost rule for it"
        : node.IsUnknown ? "operator code is newer than the schema this build knows"
        : "no Cortex-M cost rule for this builtin";

    public static string FallbackDescription(CortexMSpec spec, CortexMStack stack)
    {
        CortexMStackCosts costs = spec.Stack(stack);
        CortexMCoefficients k = costs[CortexMOpClass.Other];
        return FormattableString.Invariant(
            $"generic Cortex-M cost on {spec.Id} ({CortexMStacks.Name(stack)}): {k.CyclesPerByte:0.###} cycles per activation byte read or written + {costs.PerOpOverheadCycles.Value:0} cycles overhead");
    }
}

/// <summary>The cycles of one node, what bounds them, the flash bytes it streams and its class.</summary>
internal readonly record struct NodeCost(double Cycles, LayerBound Bound, long FlashBytes, CortexMOpClass OpClass);
