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

        var isInput = new bool[tensorCount];
        for (int i = 0; i < graph.Inputs.Length; i++)
        {
            isInput[graph.Inputs[i]] = true;
        }

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
                        $"{Where(graph, n)}.outputs[{j}]: tensor {id} ('{Limits.Echo(t.Name)}') is written by operators[{t.Producer}] and operators[{n}]");
                }
                // Writing a graph input is accepted: TFLite's own test model add_shared_tensors.bin does it and its
                // runtime runs it. A constant's data are read-only in the file, so writing one is refused.
                if (t.IsConstant && !t.IsVariable)
                {
                    throw new OpGraphException(
                        $"{Where(graph, n)}.outputs[{j}]: writes tensor {id} ('{Limits.Echo(t.Name)}'), a constant; " +
                        "a constant's data are read-only");
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
        for (int i = 0; i < tensorCount; i++)
        {
            tensors[i].IsGraphInput = isInput[i];
        }
        CheckOrder(graph);
        for (int i = 0; i < graph.Outputs.Length; i++)
        {
            tensors[graph.Outputs[i]].IsGraphOutput = true;
        }

        for (int n = 0; n < nodes.Length; n++)
        {
            try
            {
                OpSemantics.Annotate(nodes[n], tensors);
            }
            catch (OverflowException)
            {
                throw new OpGraphException(
                    $"{Where(graph, n)} ({nodes[n].TypeName}): its work or bytes do not fit in 64 bits; the shapes cannot be real");
            }
        }
    }

    /// <summary>TFLite runs the operators in order, so an operator can only read a tensor written by an earlier one
    /// (or a graph input, a constant, a variable, or a tensor no operator writes). Reading its own output or a later
    /// operator's is a cycle or an order the runtime cannot run. Variables are exempt (state is read before it is
    /// written), and so are graph inputs, which hold a value before the first operator (TFLite's
    /// add_shared_tensors.bin updates its input in place).</summary>
    private static void CheckOrder(OpGraph graph)
    {
        ImmutableArray<GraphTensor> tensors = graph.Tensors;
        ImmutableArray<OpNode> nodes = graph.Nodes;
        for (int n = 0; n < nodes.Length; n++)
        {
            ImmutableArray<int> ins = nodes[n].Inputs;
            for (int j = 0; j < ins.Length; j++)
            {
                int id = ins[j];
                if (id < 0)
                {
                    continue;
                }
                GraphTensor t = tensors[id];
                if (t.Producer >= n && !t.IsVariable && !t.IsGraphInput)
                {
                    throw new OpGraphException(
                        $"{Where(graph, n)}.inputs[{j}]: reads tensor {id} ('{Limits.Echo(t.Name)}'), which " +
                        (t.Producer == n ? "the operator itself writes" : $"the later operators[{t.Producer}] writes") +
                        "; TFLite runs operators in order, so the graph cannot run");
                }
            }
        }
    }

    /// <summary>The file (or graph name) and the operator's place: <c>model.tflite: subgraphs[0].operators[3]</c>.</summary>
    private static string Where(OpGraph graph, int node) =>
        $"{graph.Name}: subgraphs[{graph.SubgraphIndex}].operators[{node}]";

    private static void CheckIds(OpGraph graph, ImmutableArray<int> ids, string field, bool allowOmitted)
    {
        int count = graph.Tensors.Length;
        for (int j = 0; j < ids.Length; j++)
        {
            int id = ids[j];
            if (id >= count || id < (allowOmitted ? -1 : 0))
            {
                throw new OpGraphException(
                    $"{graph.Name}: subgraphs[{graph.SubgraphIndex}].{field}[{j}] = {id} is not a tensor of the subgraph ({count} tensors)");
            }
        }
    }
}
