using System.Collections.Immutable;
using PerfSage.Tflite;

namespace PerfSage.Graph;

/// <summary>
/// A tensor of the graph: an edge from its producer to its consumers, or a constant (weights, biases,
/// shape vectors). Immutable. Sizes are worked out once from the shape and the element type.
/// </summary>
public sealed class GraphTensor
{
    internal GraphTensor(
        int id, string name, ImmutableArray<int> shape, bool hasDynamicShape, TensorType type,
        bool isConstant, bool isVariable, bool isSparse, QuantizationSummary? quantization, ReadOnlyMemory<byte> data)
    {
        Id = id;
        Name = name;
        Shape = shape;
        HasDynamicShape = hasDynamicShape;
        Type = type;
        IsConstant = isConstant;
        IsVariable = isVariable;
        IsSparse = isSparse;
        Quantization = quantization;
        Data = data;

        if (ShapeProblem(shape.AsSpan()) is { } problem)
        {
            throw new OpGraphException($"tensor {id} ('{Limits.Echo(name)}'): {problem}");
        }
        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            count *= shape[i]; // bounded by ShapeProblem
        }
        ElementCount = count;
        int bits = TensorTypes.BitsPerElement(type);
        SizeBytes = bits > 0 ? TensorTypes.DenseBytes(type, count) : (isConstant ? data.Length : 0);
    }

    /// <summary>Why <paramref name="shape"/> cannot be a tensor, or null: a negative dimension, or more than
    /// <see cref="Limits.MaxTensorElements"/> elements. Empty (0) dimensions count as 1 in that product, so every
    /// product of some of the dimensions (as the cost formulas take) is bounded too, and 64-bit costs cannot wrap.</summary>
    internal static string? ShapeProblem(ReadOnlySpan<int> shape)
    {
        long bound = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0)
            {
                return $"dimension {i} is {shape[i]}, negative";
            }
            bound *= Math.Max(shape[i], 1); // both factors < 2^31 before the check below: never wraps
            if (bound > Limits.MaxTensorElements)
            {
                return $"shape [{string.Join(',', shape.ToArray())}] has more than {Limits.MaxTensorElements:N0} elements, " +
                    "more than a TFLite runtime can index (32-bit sizes)";
            }
        }
        return null;
    }

    /// <summary>Index of the tensor in its subgraph (and in <see cref="OpGraph.Tensors"/>).</summary>
    public int Id { get; }

    public string Name { get; }

    /// <summary>The static shape used for costing (empty for scalars). Dynamic dimensions (-1 in the
    /// file) are resolved to 1; <see cref="HasDynamicShape"/> says that happened.</summary>
    public ImmutableArray<int> Shape { get; }

    /// <summary>True when the file marks a dimension as dynamic (-1 in <c>shape</c> or
    /// <c>shape_signature</c>).</summary>
    public bool HasDynamicShape { get; }

    public TensorType Type { get; }

    /// <summary>Product of the dimensions (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>Bytes of the dense tensor: elements × element size, sub-byte types packed and rounded
    /// up. For STRING/RESOURCE/VARIANT and type codes newer than this build (no known element size): the
    /// buffer length when constant, else 0.</summary>
    public long SizeBytes { get; }

    /// <summary>True for tensors whose value is fixed in the model (non-empty buffer in a file; weights and
    /// other constants added through <see cref="OpGraphBuilder"/>, which may not carry data yet).</summary>
    public bool IsConstant { get; }

    /// <summary>True for variable (state) tensors: persistent across invocations.</summary>
    public bool IsVariable { get; }

    /// <summary>True when the file stores the tensor sparse (its <see cref="Data"/> is then shorter
    /// than <see cref="SizeBytes"/>).</summary>
    public bool IsSparse { get; }

    /// <summary>Affine quantisation, or null when the tensor has none.</summary>
    public QuantizationSummary? Quantization { get; }

    /// <summary>The constant's bytes (a slice of the model file, never copied); empty otherwise.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Index of the node writing this tensor, or -1 (graph inputs, constants).</summary>
    public int Producer { get; internal set; } = -1;

    /// <summary>Indices of the nodes reading this tensor, ascending, each once.</summary>
    public ImmutableArray<int> Consumers { get; internal set; } = [];

    /// <summary>True when the tensor is one of the graph inputs.</summary>
    public bool IsGraphInput { get; internal set; }

    /// <summary>True when the tensor is one of the graph outputs.</summary>
    public bool IsGraphOutput { get; internal set; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Length;

    public override string ToString() =>
        $"#{Id} {Name} {TensorTypes.Name(Type)}[{string.Join(',', Shape)}]";
}
