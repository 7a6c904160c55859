using System.Collections.Immutable;
using PerfSage.Tflite;

namespace PerfSage.Graph;

/// <summary>
/// One operator of the graph, in execution order. Unknown codes (from newer schemas) and custom ops
/// are nodes too: flagged <see cref="IsUnknown"/> / <see cref="IsCustom"/>, with
/// <see cref="IsSupported"/> false and no MACs, but with their tensors' bytes.
/// </summary>
public sealed class OpNode
{
    internal OpNode(
        int index, int opCode, string? customCode, string typeName, int version, bool isUnknown,
        ImmutableArray<int> inputs, ImmutableArray<int> outputs, ImmutableArray<int> intermediates)
    {
        CustomCode = opCode == (int)BuiltinOperator.CUSTOM ? customCode ?? "" : null;
        Index = index;
        OpCode = opCode;
        TypeName = typeName;
        Version = version;
        IsCustom = opCode == (int)BuiltinOperator.CUSTOM;
        IsUnknown = isUnknown;
        Inputs = inputs;
        Outputs = outputs;
        Intermediates = intermediates;
    }

    /// <summary>Position in execution order (index in <see cref="OpGraph.Nodes"/> and in the subgraph).</summary>
    public int Index { get; }

    /// <summary>The resolved builtin code, kept as a number (codes newer than the schema included).</summary>
    public int OpCode { get; }

    /// <summary>The builtin operator; meaningful unless <see cref="IsUnknown"/>.</summary>
    public BuiltinOperator Builtin => (BuiltinOperator)OpCode;

    /// <summary>Schema name (<c>CONV_2D</c>), <c>CUSTOM:name</c>, or <c>Unknown(n)</c>.</summary>
    public string TypeName { get; }

    /// <summary>Operator version (1 when absent).</summary>
    public int Version { get; }

    public bool IsCustom { get; }

    /// <summary>The custom op name (<c>ethos-u</c>) for custom ops; null otherwise.</summary>
    public string? CustomCode { get; }

    /// <summary>True for codes newer than the schema this build knows.</summary>
    public bool IsUnknown { get; }

    /// <summary>True when a cost rule covers this operator (<see cref="Family"/> is not
    /// <see cref="OpFamily.Unsupported"/>).</summary>
    public bool IsSupported => Family != OpFamily.Unsupported;

    /// <summary>The cost rule the operator falls under.</summary>
    public OpFamily Family { get; internal set; }

    /// <summary>Why the node has no cost rule (custom, unknown, no rule for the builtin, or tensors that do
    /// not fit the rule, e.g. a CONV_2D filter that is not 4-D); null when <see cref="IsSupported"/>.</summary>
    public string? UnsupportedReason { get; internal set; }

    /// <summary>Input tensor ids; -1 is kept for omitted optional inputs.</summary>
    public ImmutableArray<int> Inputs { get; }

    /// <summary>Output tensor ids.</summary>
    public ImmutableArray<int> Outputs { get; }

    /// <summary>Tensor ids of <c>intermediates</c> (LSTM internals), usually empty.</summary>
    public ImmutableArray<int> Intermediates { get; }

    /// <summary>The role of each input, parallel to <see cref="Inputs"/>.</summary>
    public ImmutableArray<InputRole> InputRoles { get; internal set; } = [];

    /// <summary>Non-constant inputs (activations, state), in input order.</summary>
    public ImmutableArray<int> ActivationInputs { get; internal set; } = [];

    /// <summary>Constant inputs (weights, biases and meta constants such as shapes), in input order.</summary>
    public ImmutableArray<int> ConstantInputs { get; internal set; } = [];

    /// <summary>The main activation input (e.g. input 0 of CONV_2D, input 2 of TRANSPOSE_CONV), or -1.</summary>
    public int MainInput { get; internal set; } = -1;

    /// <summary>The first output, or -1.</summary>
    public int MainOutput => Outputs.Length > 0 ? Outputs[0] : -1;

    /// <summary>The tensor in the weight slot (filter, FC matrix, first recurrent matrix), constant or not;
    /// -1 when the op has no weight slot.</summary>
    public int WeightTensor { get; internal set; } = -1;

    /// <summary>The tensor in the bias slot, or -1 (absent or no bias slot).</summary>
    public int BiasTensor { get; internal set; } = -1;

    /// <summary>Element type of the main activation input (of the first output when there is none).</summary>
    public TensorType DType { get; internal set; }

    /// <summary>Element type of the weight slot tensor, or null when the op has none.</summary>
    public TensorType? WeightDType { get; internal set; }

    /// <summary>Shape of <see cref="MainInput"/> (empty when there is none).</summary>
    public ImmutableArray<int> InputShape { get; internal set; } = [];

    /// <summary>Shape of <see cref="MainOutput"/> (empty when there is none).</summary>
    public ImmutableArray<int> OutputShape { get; internal set; } = [];

    /// <summary>Normalised attributes.</summary>
    public OpAttributes Attributes { get; internal set; } = OpAttributes.Empty;

    /// <summary>Work and traffic of this op.</summary>
    public OpCost Cost { get; internal set; }

    public override string ToString() => $"[{Index}] {TypeName}";
}
