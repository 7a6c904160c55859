using System.Runtime.InteropServices;
using System.Security.Cryptography;
using PerfSage.Graph.Features;
using PerfSage.Model.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace PerfSage.Model;

/// <summary>
/// The frozen trunk's outputs for a list of graphs, computed once so that a new head can be fitted and scored many
/// times without running the trunk again: node embeddings [N, hidden] of all graphs in one tensor, graph embeddings
/// [G, graphHidden], and the base model's ln predictions per head (for choosing a donor head). Graphs with identical
/// features (SHA-256 of every feature array) are run and stored once. Graphs without operators have no node
/// embeddings and must be left out by the caller (<see cref="Build"/> refuses them).
/// <para>Owns native memory: dispose it.</para>
/// </summary>
internal sealed class TrunkCache : IDisposable
{
    private readonly Tensor _nodes;
    private readonly Tensor _graphs;
    private readonly long[] _start;
    private readonly int[] _count;
    private readonly int[] _unique;
    private readonly bool _ownsTensors;

    private TrunkCache(Tensor nodes, Tensor graphs, long[] start, int[] count, int[] unique, float[][] baseLog, TrainedModel model, bool ownsTensors)
    {
        _nodes = nodes;
        _graphs = graphs;
        _start = start;
        _count = count;
        _unique = unique;
        BaseLog = baseLog;
        Model = model;
        _ownsTensors = ownsTensors;
    }

    /// <summary>The model whose trunk made the cache.</summary>
    public TrainedModel Model { get; }

    /// <summary>Graphs the cache was built for (in the order given).</summary>
    public int Count => _unique.Length;

    /// <summary>Distinct feature sets among them (what the trunk was run on).</summary>
    public int UniqueCount => _count.Length;

    /// <summary>The base model's ln prediction of every head for graph <c>i</c> ([graph][head], heads in model order).</summary>
    public float[][] BaseLog { get; }

    /// <summary>Runs the trunk of <paramref name="model"/> once on every distinct graph of <paramref name="graphs"/>.</summary>
    /// <exception cref="ArgumentException">A graph without operators.</exception>
    public static TrunkCache Build(TrainedModel model, IReadOnlyList<GraphFeatures> graphs, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(graphs);
        var byHash = new Dictionary<string, int>(StringComparer.Ordinal);
        var distinct = new List<GraphFeatures>();
        var unique = new int[graphs.Count];
        for (int i = 0; i < graphs.Count; i++)
        {
            GraphFeatures g = graphs[i];
            if (g.NodeCount == 0)
            {
                throw new ArgumentException($"graph {i} has no operators: the trunk has nothing to embed", nameof(graphs));
            }
            string hash = Hash(g);
            if (!byHash.TryGetValue(hash, out int u))
            {
                byHash[hash] = u = distinct.Count;
                distinct.Add(g);
            }
            unique[i] = u;
        }

        var start = new long[distinct.Count];
        var count = new int[distinct.Count];
        long total = 0;
        for (int u = 0; u < distinct.Count; u++)
        {
            start[u] = total;
            count[u] = distinct[u].NodeCount;
            total += count[u];
        }
        NetworkOptions sizes = model.Manifest.Network;
        float[][] baseLogUnique = new float[distinct.Count][];
        Tensor nodes = zeros([total, sizes.HiddenSize]).DetachFromDisposeScope();
        Tensor graphEmbeddings = zeros([distinct.Count, sizes.GraphHiddenSize]).DetachFromDisposeScope();
        try
        {
            PerfSageNet net = model.Net;
            using IDisposable noGrad = no_grad();
            net.eval();
            int heads = model.Heads.Count;
            for (int first = 0; first < distinct.Count; first += batchSize)
            {
                int end = Math.Min(distinct.Count, first + batchSize);
                var chunk = new List<GraphFeatures>(end - first);
                for (int u = first; u < end; u++)
                {
                    chunk.Add(model.Manifest.Normalisation.Scale(distinct[u]));
                }
                using DisposeScope scope = NewDisposeScope();
                GraphBatch batch = GraphBatch.Collate(chunk, model.Device);
                Tensor h = net.NodeEmbeddings(batch).cpu();
                Tensor g = net.GraphEmbeddings(batch).cpu();
                nodes.narrow(0, start[first], h.shape[0]).copy_(h);
                graphEmbeddings.narrow(0, first, end - first).copy_(g);
                float[] flat = net.forward(batch).cpu().data<float>().ToArray();
                for (int u = first; u < end; u++)
                {
                    baseLogUnique[u] = flat.AsSpan((u - first) * heads, heads).ToArray();
                }
            }
        }
        catch
        {
            nodes.Dispose();
            graphEmbeddings.Dispose();
            throw;
        }
        float[][] baseLog = unique.Select(u => baseLogUnique[u]).ToArray();
        return new TrunkCache(nodes, graphEmbeddings, start, count, unique, baseLog, model, ownsTensors: true);
    }

    /// <summary>
    /// The same cached trunk outputs for <paramref name="model"/>, a copy of this cache's model with heads added over the
    /// same trunk (<see cref="HeadFitter.WithHeads"/>): <see cref="BaseLog"/> gets a column per head of
    /// <paramref name="model"/>, an added one from <paramref name="addedLog"/> (by head key: its ln prediction for every
    /// cached graph, <see cref="HeadFitter.PredictLog"/>). The view shares this cache's tensors (disposing it frees nothing;
    /// this cache must outlive it).
    /// </summary>
    public TrunkCache WithHeads(TrainedModel model, IReadOnlyDictionary<string, double[]> addedLog)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(addedLog);
        var oldColumn = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < Model.Heads.Count; k++)
        {
            oldColumn[Model.Heads[k].Key] = k;
        }
        var baseLog = new float[Count][];
        for (int i = 0; i < Count; i++)
        {
            baseLog[i] = new float[model.Heads.Count];
        }
        for (int k = 0; k < model.Heads.Count; k++)
        {
            string key = model.Heads[k].Key;
            if (oldColumn.TryGetValue(key, out int old))
            {
                for (int i = 0; i < Count; i++)
                {
                    baseLog[i][k] = BaseLog[i][old];
                }
            }
            else if (addedLog.TryGetValue(key, out double[]? column) && column.Length == Count)
            {
                for (int i = 0; i < Count; i++)
                {
                    baseLog[i][k] = (float)column[i];
                }
            }
            else
            {
                throw new ArgumentException($"head {key} of the model is neither a head of the cache's model nor given for every cached graph", nameof(addedLog));
            }
        }
        return new TrunkCache(_nodes, _graphs, _start, _count, _unique, baseLog, model, ownsTensors: false);
    }

    /// <summary>Distinct feature sets among cached graphs <paramref name="rows"/>.</summary>
    public int UniqueCountOf(IEnumerable<int> rows) => rows.Select(r => _unique[r]).Distinct().Count();

    /// <summary>
    /// The cached embeddings of graphs <paramref name="rows"/> laid out for a readout: node embeddings [N, hidden],
    /// graph embeddings [G, graphHidden], each node's place in a dense [G, maxNodes] layout [N], and maxNodes. The
    /// tensors belong to the current dispose scope.
    /// </summary>
    public Gathered Gather(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int maxNodes = 1;
        long total = 0;
        foreach (int r in rows)
        {
            int c = _count[_unique[r]];
            maxNodes = Math.Max(maxNodes, c);
            total += c;
        }
        var nodeIndex = new long[total];
        var position = new long[total];
        var graphIndex = new long[rows.Count];
        long at = 0;
        for (int j = 0; j < rows.Count; j++)
        {
            int u = _unique[rows[j]];
            graphIndex[j] = u;
            for (int n = 0; n < _count[u]; n++)
            {
                nodeIndex[at] = _start[u] + n;
                position[at] = ((long)j * maxNodes) + n;
                at++;
            }
        }
        return new Gathered(
            _nodes.index_select(0, tensor(nodeIndex)),
            _graphs.index_select(0, tensor(graphIndex)),
            tensor(position),
            rows.Count,
            maxNodes);
    }

    public void Dispose()
    {
        if (_ownsTensors)
        {
            _nodes.Dispose();
            _graphs.Dispose();
        }
    }

    private static string Hash(GraphFeatures g)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(BitConverter.GetBytes(g.NodeCount));
        sha.AppendData(MemoryMarshal.AsBytes(g.NodeFeatures.AsSpan()));
        sha.AppendData(MemoryMarshal.AsBytes(g.OpIndex.AsSpan()));
        sha.AppendData(BitConverter.GetBytes(g.EdgeSource.Length));
        sha.AppendData(MemoryMarshal.AsBytes(g.EdgeSource.AsSpan()));
        sha.AppendData(MemoryMarshal.AsBytes(g.EdgeTarget.AsSpan()));
        sha.AppendData(MemoryMarshal.AsBytes(g.EdgeFeatures.AsSpan()));
        sha.AppendData(MemoryMarshal.AsBytes(g.GraphFeatureValues.AsSpan()));
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    /// <summary>Embeddings of some cached graphs, ready for a readout (see <see cref="Gather"/>).</summary>
    internal sealed record Gathered(Tensor Nodes, Tensor Graphs, Tensor DensePosition, int GraphCount, int MaxNodes);
}
