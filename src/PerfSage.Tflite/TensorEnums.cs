// Enum values of the TFLite schema, transcribed as format facts (names in C# style, on-disk values kept).
namespace PerfSage.Tflite;

#pragma warning disable CA1028, CA1008, CA1720 // on-disk byte enums; schema names kept

/// <summary>Element type of a tensor (<c>enum TensorType : byte</c>). Values beyond
/// <see cref="Float8E5M2"/> come from newer schemas and are kept as their raw number.</summary>
public enum TensorType : byte
{
    Float32 = 0,
    Float16 = 1,
    Int32 = 2,
    UInt8 = 3,
    Int64 = 4,
    String = 5,
    Bool = 6,
    Int16 = 7,
    Complex64 = 8,
    Int8 = 9,
    Float64 = 10,
    Complex128 = 11,
    UInt64 = 12,
    Resource = 13,
    Variant = 14,
    UInt32 = 15,
    UInt16 = 16,
    Int4 = 17,
    BFloat16 = 18,
    Int2 = 19,
    UInt4 = 20,
    Float8E4M3FN = 21,
    Float8E5M2 = 22,
}

/// <summary>Convolution and pooling padding (<c>enum Padding : byte</c>).</summary>
public enum Padding : byte
{
    Same = 0,
    Valid = 1,
}

/// <summary>Activation fused into an operator (<c>enum ActivationFunctionType : byte</c>).</summary>
public enum ActivationFunctionType : byte
{
    None = 0,
    Relu = 1,
    ReluN1To1 = 2,
    Relu6 = 3,
    Tanh = 4,
    SignBit = 5,
}

/// <summary><c>enum FullyConnectedOptionsWeightsFormat : byte</c>.</summary>
public enum FullyConnectedWeightsFormat : byte
{
    Default = 0,
    Shuffled4x16Int8 = 1,
}

/// <summary><c>enum LSTMKernelType : byte</c>.</summary>
public enum LstmKernelType : byte
{
    Full = 0,
    Basic = 1,
}

/// <summary><c>enum MirrorPadMode : byte</c>.</summary>
public enum MirrorPadMode : byte
{
    Reflect = 0,
    Symmetric = 1,
}

/// <summary><c>enum CustomOptionsFormat : byte</c>.</summary>
public enum CustomOptionsFormat : byte
{
    Flexbuffers = 0,
}
#pragma warning restore CA1028, CA1008, CA1720
