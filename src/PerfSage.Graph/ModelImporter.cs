using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using PerfSage.Tflite;

namespace PerfSage.Graph;

/// <summary>Turns a <see cref="TfliteModel"/> subgraph into an <see cref="OpGraph"/>.</summary>
internal static class ModelImporter
{
    public static OpGraph Import(TfliteModel model, int subgraph)
    {
        if (model.Subgraphs.Count == 0)
        {
            throw new OpGraphException($"{model.SourceName}: the model has no subgraph");
        }
        if ((uint)subgraph >= (uint)model.Subgraphs.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(subgraph), subgraph,
                $"{model.SourceName} has {model.Subgraphs.Count} subgraph(s)");
        }

        int subgraphIndex = subgraph;
        Subgraph sg = model.Subgraphs[subgraphIndex];
        if (sg.Operators.Count > Limits.MaxOperators)
        {
            throw new OpGraphException(string.Create(CultureInfo.InvariantCulture,
                $"{model.SourceName}: subgraphs[{subgraphIndex}] has {sg.Operators.Count:N0} operators; PerfSage analyses at most {Limits.MaxOperators:N0} (Limits.MaxOperators)"));
        }
        var tensors = new GraphTensor[sg.Tensors.Count];
        bool weightless = model.IsWeightless;
        for (int i = 0; i < tensors.Length; i++)
        {
            try
            {
                tensors[i] = ImportTensor(model, sg, sg.Tensors[i], i, weightless);
            }
            catch (OpGraphException e)
            {
                throw new OpGraphException($"{model.SourceName}: subgraphs[{subgraphIndex}].tensors[{i}]: {e.Message}", e);
            }
            CheckConstantLength(model, subgraphIndex, sg.Tensors[i], tensors[i]);
        }

        IReadOnlyList<OperatorCode> codes = model.OperatorCodes;
        var nodes = new OpNode[sg.Operators.Count];
        for (int i = 0; i < nodes.Length; i++)
        {
            Operator op = sg.Operators[i];
            if (op.OpcodeIndex >= (uint)codes.Count)
            {
                throw new OpGraphException(
                    $"{model.SourceName}: subgraphs[{subgraphIndex}].operators[{i}].opcode_index {op.OpcodeIndex} " +
                    $"is out of range ({codes.Count} operator codes)");
            }
            OperatorCode code = codes[(int)op.OpcodeIndex];
            nodes[i] = new OpNode(
                i, code.Code, code.CustomCode, code.Name, code.Version, !code.IsKnown,
                ToImmutable(op.Inputs), ToImmutable(op.Outputs), ToImmutable(op.Intermediates));
            nodes[i].Attributes = new OpAttributes { Options = op.Options ?? op.Options2 };
        }

        int totalTensors = 0;
        int totalOperators = 0;
        for (int s = 0; s < model.Subgraphs.Count; s++)
        {
            totalTensors += model.Subgraphs[s].Tensors.Count;
            totalOperators += model.Subgraphs[s].Operators.Count;
        }

        return new OpGraph(
            model.SourceName, sg.Name, subgraphIndex,
            ImmutableCollectionsMarshal.AsImmutableArray(tensors),
            ImmutableCollectionsMarshal.AsImmutableArray(nodes),
            ToImmutable(sg.Inputs), ToImmutable(sg.Outputs), model.WeightlessFileBytes ?? model.Bytes.Length,
            model.Subgraphs.Count, totalTensors, totalOperators)
        {
            IsWeightless = weightless,
        };
    }

    private static GraphTensor ImportTensor(TfliteModel model, Subgraph sg, Tensor t, int id, bool weightless)
    {
        IReadOnlyList<int> fileShape = t.Shape;
        var shape = new int[fileShape.Count];
        bool dynamic = false;
        for (int d = 0; d < shape.Length; d++)
        {
            int dim = fileShape[d];
            if (dim < 0)
            {
                dynamic = true;
                dim = 1;
            }
            shape[d] = dim;
        }
        IReadOnlyList<int>? signature = t.ShapeSignature;
        if (signature is not null)
        {
            for (int d = 0; d < signature.Count; d++)
            {
                dynamic |= signature[d] < 0;
            }
        }

        ReadOnlyMemory<byte> data = model.GetBufferData(t.Buffer);
        // Data kept in another file (external_buffer) is still a constant, just not at hand; so is a weight of a
        // weightless model (its own empty buffer; activations use buffer 0: TfliteModel.IsWeightless).
        bool isConstant = !data.IsEmpty || t.ExternalBuffer != 0 || (weightless && t.Buffer != 0 && !t.IsVariable);
        return new GraphTensor(id, t.Name, ImmutableCollectionsMarshal.AsImmutableArray(shape), dynamic, t.Type,
            isConstant, t.IsVariable, t.IsSparse, Summarise(sg, t.Quantization), data);
    }

    /// <summary>A dense constant holds at least the bytes its shape and type take; TFLite would read past its
    /// buffer otherwise. A longer buffer is accepted (nothing is read beyond what the shape needs); sparse tensors,
    /// data kept in another file, and types without a fixed element size are not checked.</summary>
    private static void CheckConstantLength(TfliteModel model, int subgraph, Tensor file, GraphTensor t)
    {
        if (t.Data.IsEmpty || t.IsSparse || file.ExternalBuffer != 0 || TensorTypes.BitsPerElement(t.Type) == 0)
        {
            return;
        }
        if (t.Data.Length < t.SizeBytes)
        {
            throw new OpGraphException(
                $"{model.SourceName}: subgraphs[{subgraph}].tensors[{t.Id}] ('{Limits.Echo(t.Name)}'): its buffer " +
                $"{file.Buffer} holds {t.Data.Length:N0} bytes, fewer than the {t.SizeBytes:N0} bytes of a " +
                $"{TensorTypes.Name(t.Type)}[{string.Join(',', t.Shape)}] constant");
        }
    }

    private static QuantizationSummary? Summarise(Subgraph sg, QuantizationParameters? qp)
    {
        if (qp is null)
        {
            return null;
        }
        switch (qp.Details)
        {
            case BlockwiseQuantization b:
                return new QuantizationSummary(ScaleElements(sg, b.ScalesTensor), 0, 0f, 0) { BlockSize = b.BlockSize };
            case MultiAxisQuantization m:
                return new QuantizationSummary(ScaleElements(sg, m.ScalesTensor),
                    m.QuantizedDimensions.Count > 0 ? m.QuantizedDimensions[0] : 0, 0f, 0) { BlockSize = m.BlockSize };
            default:
                break;
        }
        if (qp.Scale.Count == 0)
        {
            return null;
        }
        return new QuantizationSummary(qp.Scale.Count, qp.QuantizedDimension, qp.Scale[0],
            qp.ZeroPoint.Count > 0 ? qp.ZeroPoint[0] : 0);
    }

    private static int ScaleElements(Subgraph sg, int tensor)
    {
        if ((uint)tensor >= (uint)sg.Tensors.Count)
        {
            return 0;
        }
        long n = 1;
        IReadOnlyList<int> shape = sg.Tensors[tensor].Shape;
        for (int d = 0; d < shape.Count; d++)
        {
            n *= Math.Max(shape[d], 1);
        }
        return (int)Math.Min(n, int.MaxValue);
    }

    private static ImmutableArray<int> ToImmutable(IReadOnlyList<int> list)
    {
        int n = list.Count;
        if (n == 0)
        {
            return [];
        }
        var a = new int[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = list[i];
        }
        return ImmutableCollectionsMarshal.AsImmutableArray(a);
    }
}
