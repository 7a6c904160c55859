using System.Runtime.InteropServices;

namespace PerfSage.Tflite.Tests;

/// <summary>
/// What every model the reader returns must satisfy, checked independently of the reader's own code:
/// every index refers to something that exists and every buffer is a slice of the file. Used on real
/// models and on every corrupted input that the reader accepts.
/// </summary>
public static class ModelInvariants
{
    public static List<string> Violations(TfliteModel model)
    {
        var problems = new List<string>();
        int subgraphCount = model.Subgraphs.Count;
        if (!MemoryMarshal.TryGetArray(model.Bytes, out ArraySegment<byte> file))
        {
            problems.Add("Bytes is not array-backed");
        }
        for (int b = 0; b < model.Buffers.Count; b++)
        {
            ReadOnlyMemory<byte> data = model.Buffers[b].Data;
            if (data.Length > 0 && (!MemoryMarshal.TryGetArray(data, out ArraySegment<byte> slice)
                || !ReferenceEquals(slice.Array, file.Array)
                || slice.Offset < file.Offset || slice.Offset + slice.Count > file.Offset + file.Count))
            {
                problems.Add($"buffers[{b}] is not a slice of the file");
            }
        }
        foreach (MetadataEntry entry in model.Metadata)
        {
            if (entry.BufferIndex >= model.Buffers.Count)
            {
                problems.Add($"metadata {entry.Name} buffer {entry.BufferIndex}");
            }
        }
        for (int s = 0; s < subgraphCount; s++)
        {
            Subgraph subgraph = model.Subgraphs[s];
            int tensors = subgraph.Tensors.Count;
            bool InRange(int index) => index >= 0 && index < tensors;
            foreach (int i in subgraph.Inputs.Concat(subgraph.Outputs))
            {
                if (!InRange(i))
                {
                    problems.Add($"subgraphs[{s}] io tensor {i}");
                }
            }
            foreach (Tensor tensor in subgraph.Tensors)
            {
                if (tensor.Buffer >= model.Buffers.Count)
                {
                    problems.Add($"subgraphs[{s}] tensor {tensor.Name} buffer {tensor.Buffer}");
                }
                if (tensor.Shape.Any(d => d < -1))
                {
                    problems.Add($"subgraphs[{s}] tensor {tensor.Name} shape");
                }
            }
            for (int o = 0; o < subgraph.Operators.Count; o++)
            {
                Operator op = subgraph.Operators[o];
                if (op.OpcodeIndex >= model.OperatorCodes.Count)
                {
                    problems.Add($"subgraphs[{s}].operators[{o}] opcode {op.OpcodeIndex}");
                }
                if (op.Inputs.Any(i => i != -1 && !InRange(i)) || !op.Outputs.All(InRange) || !op.Intermediates.All(InRange))
                {
                    problems.Add($"subgraphs[{s}].operators[{o}] tensor index");
                }
                foreach (OperatorOptions? options in new[] { op.Options, op.Options2 })
                {
                    if (options is ControlFlowOptions flow && flow.SubgraphIndices.Any(i => i < 0 || i >= subgraphCount))
                    {
                        problems.Add($"subgraphs[{s}].operators[{o}] control flow subgraph");
                    }
                }
                if (op.CustomOptionsLength != op.CustomOptions.Length)
                {
                    problems.Add($"subgraphs[{s}].operators[{o}] custom options length");
                }
            }
        }
        foreach (SignatureDef signature in model.SignatureDefs)
        {
            if (signature.SubgraphIndex >= subgraphCount)
            {
                problems.Add($"signature {signature.SignatureKey} subgraph");
                continue;
            }
            int tensors = model.Subgraphs[(int)signature.SubgraphIndex].Tensors.Count;
            if (signature.Inputs.Concat(signature.Outputs).Any(t => t.TensorIndex >= tensors))
            {
                problems.Add($"signature {signature.SignatureKey} tensor");
            }
        }
        foreach (OperatorCode code in model.OperatorCodes)
        {
            if (code.Code < 0 || (code.IsCustom && code.CustomCode is null))
            {
                problems.Add($"operator code {code.Code}");
            }
        }
        return problems;
    }
}
