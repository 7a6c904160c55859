using PerfSage.Tflite;

namespace PerfSage.Graph;

/// <summary>Storage facts about <see cref="TensorType"/> values.</summary>
public static class TensorTypes
{
    /// <summary>Bits one element takes in a dense buffer; 0 for types without a fixed element size
    /// (STRING, RESOURCE, VARIANT) and for codes from newer schemas this build does not know.</summary>
    public static int BitsPerElement(TensorType type) => type switch
    {
        TensorType.Float32 or TensorType.Int32 or TensorType.UInt32 => 32,
        TensorType.Float16 or TensorType.Int16 or TensorType.UInt16 or TensorType.BFloat16 => 16,
        TensorType.UInt8 or TensorType.Int8 or TensorType.Bool => 8,
        TensorType.Float8E4M3FN or TensorType.Float8E5M2 => 8,
        TensorType.Int64 or TensorType.UInt64 or TensorType.Float64 or TensorType.Complex64 => 64,
        TensorType.Complex128 => 128,
        TensorType.Int4 or TensorType.UInt4 => 4,
        TensorType.Int2 => 2,
        _ => 0,
    };

    /// <summary>Bytes a dense buffer of <paramref name="elementCount"/> elements takes: sub-byte
    /// types pack (INT4 is half a byte per element), rounded up to a whole byte.</summary>
    public static long DenseBytes(TensorType type, long elementCount)
    {
        long bits = BitsPerElement(type) * elementCount;
        return (bits + 7) / 8;
    }

    /// <summary>True for the integer types quantised models use for activations and weights
    /// (INT8, UINT8, INT16, INT4, UINT4, INT2).</summary>
    public static bool IsQuantizedInteger(TensorType type) => type is TensorType.Int8 or TensorType.UInt8
        or TensorType.Int16 or TensorType.Int4 or TensorType.UInt4 or TensorType.Int2;

    /// <summary>True for floating-point types (FLOAT16/32/64, BFLOAT16, FLOAT8 variants).</summary>
    public static bool IsFloat(TensorType type) => type is TensorType.Float32 or TensorType.Float16
        or TensorType.Float64 or TensorType.BFloat16 or TensorType.Float8E4M3FN or TensorType.Float8E5M2;

    /// <summary>Lower-case name used in reports and features: <c>int8</c>, <c>float32</c>, or
    /// <c>type(n)</c> for codes this build does not know.</summary>
    public static string Name(TensorType type) => type switch
    {
        TensorType.Float32 => "float32",
        TensorType.Float16 => "float16",
        TensorType.Int32 => "int32",
        TensorType.UInt8 => "uint8",
        TensorType.Int64 => "int64",
        TensorType.String => "string",
        TensorType.Bool => "bool",
        TensorType.Int16 => "int16",
        TensorType.Complex64 => "complex64",
        TensorType.Int8 => "int8",
        TensorType.Float64 => "float64",
        TensorType.Complex128 => "complex128",
        TensorType.UInt64 => "uint64",
        TensorType.Resource => "resource",
        TensorType.Variant => "variant",
        TensorType.UInt32 => "uint32",
        TensorType.UInt16 => "uint16",
        TensorType.Int4 => "int4",
        TensorType.BFloat16 => "bfloat16",
        TensorType.Int2 => "int2",
        TensorType.UInt4 => "uint4",
        TensorType.Float8E4M3FN => "float8e4m3fn",
        TensorType.Float8E5M2 => "float8e5m2",
        _ => $"type({(int)type})",
    };
}
