using System.Collections.Immutable;
using PerfSage.Tflite;

namespace PerfSage.Graph.Features;

/// <summary>
/// The frozen operator vocabulary of feature schema version 1: the index a node's op gets for the learned
/// op embedding. It never depends on the data seen in training (unlike a vocabulary built from whatever
/// loaded), so a model and the features of any later graph agree on what index 17 means.
/// <list type="bullet">
/// <item>0‥209: the builtin operator with that code (index = code; <c>CONV_2D</c> = 3).</item>
/// <item>32 (<c>CUSTOM</c>): a custom operator whose name is not listed below.</item>
/// <item>210‥211: custom operators by name: <c>ethos-u</c> (Vela's compiled NPU command stream) and
/// <c>TFLite_Detection_PostProcess</c> (SSD post-processing), the two custom ops edge models ship with.</item>
/// <item>212: unknown, a builtin code newer than schema 1 knows (above 209).</item>
/// </list>
/// Adding an entry changes the embedding table's size, so it needs a new <see cref="FeatureSchema.Version"/>.
/// </summary>
public static class OpVocabulary
{
    /// <summary>Builtin codes 0‥209 (<c>STABLEHLO_CASE</c> = 209 is the last in schema v3c).</summary>
    public const int BuiltinCount = 210;

    /// <summary>Index for custom ops whose name has no entry of its own.</summary>
    public const int CustomOther = (int)BuiltinOperator.CUSTOM;

    /// <summary>Index of custom op <c>ethos-u</c>.</summary>
    public const int CustomEthosU = 210;

    /// <summary>Index of custom op <c>TFLite_Detection_PostProcess</c>.</summary>
    public const int CustomDetectionPostProcess = 211;

    /// <summary>Index of operator codes this schema does not know.</summary>
    public const int Unknown = 212;

    /// <summary>Number of entries (rows of the embedding table).</summary>
    public const int Size = 213;

    /// <summary>Custom op names with an index of their own, in index order from <see cref="BuiltinCount"/>.</summary>
    public static ImmutableArray<string> NamedCustomOps { get; } = ["ethos-u", "TFLite_Detection_PostProcess"];

    /// <summary>The vocabulary index of <paramref name="node"/>'s operator.</summary>
    public static int IndexOf(OpNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return IndexOf(node.OpCode, node.CustomCode);
    }

    /// <summary>The vocabulary index of builtin code <paramref name="opCode"/> (custom ops: with their name).</summary>
    public static int IndexOf(int opCode, string? customCode)
    {
        if (opCode == (int)BuiltinOperator.CUSTOM)
        {
            // Names compare exactly (ordinal): custom op names are identifiers, not prose.
            for (int i = 0; i < NamedCustomOps.Length; i++)
            {
                if (string.Equals(NamedCustomOps[i], customCode, StringComparison.Ordinal))
                {
                    return BuiltinCount + i;
                }
            }
            return CustomOther;
        }
        return opCode is >= 0 and < BuiltinCount ? opCode : Unknown;
    }

    /// <summary>A readable name for index <paramref name="index"/>: <c>CONV_2D</c>, <c>CUSTOM:ethos-u</c>,
    /// <c>CUSTOM</c> (other custom ops) or <c>UNKNOWN</c>.</summary>
    public static string NameOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Size);
        if (index < BuiltinCount)
        {
            return ((BuiltinOperator)index).ToString();
        }
        return index == Unknown ? "UNKNOWN" : "CUSTOM:" + NamedCustomOps[index - BuiltinCount];
    }
}
