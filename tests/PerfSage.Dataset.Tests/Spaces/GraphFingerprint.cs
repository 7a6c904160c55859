using System.Text;
using PerfSage.Graph;

namespace PerfSage.Dataset.Tests;

/// <summary>A text rendering of everything that defines a graph's structure: tensors (shape, type,
/// constness, quantisation) and nodes (type, inputs, outputs, options). Two graphs with the same fingerprint
/// are the same network.</summary>
internal static class GraphFingerprint
{
    public static string Of(OpGraph g)
    {
        var sb = new StringBuilder();
        foreach (GraphTensor t in g.Tensors)
        {
            sb.Append('#').Append(t.Id).Append(' ').Append(t.Type).Append('[').AppendJoin(',', t.Shape).Append(']')
                .Append(t.IsConstant ? " const" : "").Append(' ').Append(t.Quantization).Append('\n');
        }
        foreach (OpNode n in g.Nodes)
        {
            sb.Append(n.TypeName).Append(" in ").AppendJoin(',', n.Inputs).Append(" out ").AppendJoin(',', n.Outputs)
                .Append(' ').Append(Options(n)).Append('\n');
        }
        sb.Append("inputs ").AppendJoin(',', g.Inputs).Append(" outputs ").AppendJoin(',', g.Outputs);
        return sb.ToString();
    }

    private static string Options(OpNode n) => n.Attributes.Options switch
    {
        null => "",
        PerfSage.Tflite.ReshapeOptions r => "reshape " + string.Join(',', r.NewShape),
        var o => o.ToString(),
    };
}
