// Field ids of the TFLite tables the reader decodes: the slot of each field in its table's
// vtable, as in the official schema (schema version 3d) and in schemas/tflite.fbs. A union
// field takes two slots, its type byte and then its value offset.
namespace PerfSage.Tflite.Internal;

internal static class ModelField
{
    public const int Version = 0;
    public const int OperatorCodes = 1;
    public const int Subgraphs = 2;
    public const int Description = 3;
    public const int Buffers = 4;
    public const int MetadataBuffer = 5;
    public const int Metadata = 6;
    public const int SignatureDefs = 7;
    public const int ExternalBufferGroups = 8;
    public const int ExternalBuffers = 9;
}

internal static class OperatorCodeField
{
    public const int DeprecatedBuiltinCode = 0;
    public const int CustomCode = 1;
    public const int Version = 2;
    public const int BuiltinCode = 3;
}

internal static class SubGraphField
{
    public const int Tensors = 0;
    public const int Inputs = 1;
    public const int Outputs = 2;
    public const int Operators = 3;
    public const int Name = 4;
}

internal static class TensorField
{
    public const int Shape = 0;
    public const int Type = 1;
    public const int Buffer = 2;
    public const int Name = 3;
    public const int Quantization = 4;
    public const int IsVariable = 5;
    public const int Sparsity = 6;
    public const int ShapeSignature = 7;
    public const int HasRank = 8;
    public const int VariantTensors = 9;
    public const int ExternalBuffer = 10;
}

internal static class VariantSubTypeField
{
    public const int Shape = 0;
    public const int Type = 1;
    public const int HasRank = 2;
}

internal static class QuantizationField
{
    public const int Min = 0;
    public const int Max = 1;
    public const int Scale = 2;
    public const int ZeroPoint = 3;
    public const int DetailsType = 4;
    public const int Details = 5;
    public const int QuantizedDimension = 6;

    /// <summary><c>union QuantizationDetails</c> type codes.</summary>
    public const byte CustomQuantization = 1;
    public const byte BlockwiseQuantization = 2;
    public const byte MultiAxisQuantization = 3;
}

/// <summary>Fields shared by <c>BlockwiseQuantization</c> and <c>MultiAxisQuantization</c>.</summary>
internal static class BlockQuantizationField
{
    public const int Scales = 0;
    public const int ZeroPoints = 1;
    public const int BlockSize = 2;
    public const int QuantizedDimensions = 3; // MultiAxisQuantization only
}

internal static class SparsityField
{
    public const int TraversalOrder = 0;
    public const int BlockMap = 1;
    public const int DimMetadata = 2;

    // DimensionMetadata
    public const int Format = 0;
    public const int DenseSize = 1;
    public const int ArraySegmentsType = 2;
    public const int ArraySegments = 3;
    public const int ArrayIndicesType = 4;
    public const int ArrayIndices = 5;

    /// <summary>Int32Vector / Uint16Vector / Uint8Vector: <c>values</c>.</summary>
    public const int Values = 0;
}

internal static class OperatorField
{
    public const int OpcodeIndex = 0;
    public const int Inputs = 1;
    public const int Outputs = 2;
    public const int BuiltinOptionsType = 3;
    public const int BuiltinOptions = 4;
    public const int CustomOptions = 5;
    public const int CustomOptionsFormat = 6;
    public const int MutatingVariableInputs = 7;
    public const int Intermediates = 8;
    public const int LargeCustomOptionsOffset = 9;
    public const int LargeCustomOptionsSize = 10;
    public const int BuiltinOptions2Type = 11;
    public const int BuiltinOptions2 = 12;
}

internal static class BufferField
{
    public const int Data = 0;
    public const int Offset = 1;
    public const int Size = 2;
}

internal static class MetadataField
{
    public const int Name = 0;
    public const int Buffer = 1;
}

internal static class TensorMapField
{
    public const int Name = 0;
    public const int TensorIndex = 1;
}

internal static class SignatureDefField
{
    public const int Inputs = 0;
    public const int Outputs = 1;
    public const int SignatureKey = 2;
    public const int SubgraphIndex = 4; // 3 is the deprecated tag
}

internal static class ExternalBufferField
{
    public const int GroupName = 0; // ExternalBufferGroup.name
    public const int Id = 0;
    public const int Group = 1;
    public const int Offset = 2;
    public const int Length = 3;
    public const int Packing = 4;
}
