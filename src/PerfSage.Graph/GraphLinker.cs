using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace PerfSage.Graph;

/// <summary>Checks tensor references and fills the links and derived facts of a new graph:
/// producers, consumers, input/output flags, then each node's roles, attributes and cost.</summary>
internal static class GraphLinker
{
    public static void Link(OpGraph graph)
    {
        ImmutableArray<GraphTensor> tensors = graph.Tensors;
        ImmutableArray<OpNode> nodes = graph.Nodes;
        int tensorCount = tensors.Length;

        CheckIds(graph, graph.Inputs, "inputs", allowOmitted: false);
        CheckIds(graph, graph.Outputs, "outputs", allowOmitted: false);

        var consumerCount = new int[tensorCount];
        var lastSeen = new int[tensorCount];
        Array.Fill(lastSeen, -1);
        for (int n = 0; n < nodes.Length; n++)
        {
            OpNode node = nodes[n];
            CheckIds(graph, node.Inputs, $"operators[{n}].inputs", allowOmitted: true);
            CheckIds(graph, node.Outputs, $"operators[{n}].outputs", allowOmitted: true);
            CheckIds(graph, node.Intermediates, $"operators[{n}].intermediates", allowOmitted: true);
            ImmutableArray<int> ins = node.Inputs;
            for (int j = 0; j < ins.Length; j++)
            {
                int id = ins[j];
                if (id >= 0 && lastSeen[id] != n)
                {
                    lastSeen[id] = n;
                    consumerCount[id]++;
                }
            }
            ImmutableArray<int> outs = node.Outputs;
            for (int j = 0; j < outs.Length; j++)
            {
                int id = outs[j];
                if (id < 0)
                {
                    continue;
                }
                GraphTensor t = tensors[id];
                if (t.Producer >= 0)
                {
                    throw new OpGraphException(
                        $"{graph.Name}: tensor {id} ('{t.Name}') is written by operators[{t.Producer}] and operators[{n}]");
                }
                t.Producer = n;
            }
        }

        var consumers = new int[tensorCount][];
        for (int i = 0; i < tensorCount; i++)
        {
            consumers[i] = consumerCount[i] == 0 ? [] : new int[consumerCount[i]];
            consumerCount[i] = 0;
        }
        Array.Fill(lastSeen, -1);
        for (int n = 0; n < nodes.Length; n++)
        {
            ImmutableArray<int> ins = nodes[n].Inputs;
            for (int j = 0; j < ins.Length; j++)
            {
                int id = ins[j];
                if (id >= 0 && lastSeen[id] != n)
                {
                    lastSeen[id] = n;
                    consumers[id][consumerCount[id]++] = n;
                }
            }
        }
        for (int i = 0; i < tensorCount; i++)
        {
            tensors[i].Consumers = ImmutableCollectionsMarshal.AsImmutableArray(consumers[i]);
        }
        for (int i = 0; i < graph.Inputs.Length; i++)
        {
            tensors[graph.Inputs[i]].IsGraphInput = true;
        }
        for (int i = 0; i < graph.Outputs.Length; i++)
        {
            tensors[graph.Outputs[i]].IsGraphOutput = true;
        }

        for (int n = 0; n < nodes.Length; n++)
        {
            OpSemantics.Annotate(nodes[n], tensors);
        }
    }

    private static void CheckIds(OpGraph graph, ImmutableArray<int> ids, string field, bool allowOmitted)
    {
        int count = graph.Tensors.Length;
        for (int j = 0; j < ids.Length; j++)
        {
            int id = ids[j];
            if (id >= count || id < (allowOmitted ? -1 : 0))
            {
                throw new OpGraphException(
                    $"{graph.Name}: {field}[{j}] = {id} is not a tensor of the subgraph ({count} tensors)");
            }
        }
    }
}
