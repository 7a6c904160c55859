using PerfSage.Tflite;

namespace PerfSage.Dataset.Spaces;

#pragma warning disable CA1720 // variant names are the element type names
/// <summary>The element types a network ships with, as converters write them.</summary>
public enum DTypeVariant
{
    /// <summary>Full-integer: int8 activations, int8 weights (per-channel for convolutions), int32 bias.</summary>
    Int8,

    /// <summary>"16x8": int16 activations, int8 weights, int64 bias (TFLM and CMSIS-NN support it).</summary>
    Int16x8,

    /// <summary>float32 everything.</summary>
    Float32,

    /// <summary>float16 weights and biases, each expanded to float32 by a DEQUANTIZE op at the start of the
    /// graph (TFLite's float16 post-training quantisation); float32 activations.</summary>
    Float16,
}
#pragma warning restore CA1720

/// <summary>Names and element types of <see cref="DTypeVariant"/>.</summary>
public static class DTypeVariants
{
    /// <summary><c>int8</c>, <c>int16x8</c>, <c>float32</c>, <c>float16</c>.</summary>
    public static string Name(DTypeVariant variant) => variant switch
    {
        DTypeVariant.Int8 => "int8",
        DTypeVariant.Int16x8 => "int16x8",
        DTypeVariant.Float32 => "float32",
        DTypeVariant.Float16 => "float16",
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, null),
    };

    /// <summary>The activation element type.</summary>
    public static TensorType ActivationType(DTypeVariant variant) => variant switch
    {
        DTypeVariant.Int8 => TensorType.Int8,
        DTypeVariant.Int16x8 => TensorType.Int16,
        DTypeVariant.Float32 or DTypeVariant.Float16 => TensorType.Float32,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, null),
    };

    /// <summary>True for the integer variants.</summary>
    public static bool IsQuantized(DTypeVariant variant) => variant is DTypeVariant.Int8 or DTypeVariant.Int16x8;
}
