using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace PerfSage.Graph;

/// <summary>
/// TFLite Micro style memory planning (its <c>GreedyMemoryPlanner</c>): the arena head holds every
/// non-constant, non-variable tensor for the span of operators it is live; buffers are placed largest
/// first, each at the lowest 16-byte-aligned offset where it does not overlap an already placed buffer
/// whose lifetime intersects its own (the first gap that fits, else above the highest). The head size is
/// the high-water mark.
/// <para>Lifetimes: a tensor lives from its producer (operator 0 for graph inputs) to its last consumer
/// (the last operator for graph outputs). A tensor that is produced but never read lives at its producer.
/// Constants stay in flash; variables are persistent and reported apart; unused tensors and tensors of
/// zero bytes are not planned. LSTM <c>intermediates</c> are not planned.</para>
/// <para>Order: size descending; ties by earlier first use, then smaller id, so plans are deterministic.
/// Sizes are rounded up to the alignment before planning (as TFLM does), so offsets stay aligned.</para>
/// </summary>
public static class ArenaPlanner
{
    /// <summary>Buffer alignment in bytes (TFLM's <c>MicroArenaBufferAlignment</c>).</summary>
    public const int Alignment = 16;

    /// <summary>Rounds <paramref name="bytes"/> up to a multiple of <see cref="Alignment"/>.</summary>
    public static long AlignUp(long bytes) => (bytes + (Alignment - 1)) & ~(long)(Alignment - 1);

    /// <summary>The buffers of <paramref name="graph"/>'s arena head with their lifetimes, ascending tensor id.</summary>
    public static ImmutableArray<BufferRequest> Lifetimes(OpGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ImmutableArray<GraphTensor> tensors = graph.Tensors;
        int lastOp = Math.Max(0, graph.Nodes.Length - 1);
        var requests = new List<BufferRequest>(tensors.Length);
        for (int i = 0; i < tensors.Length; i++)
        {
            GraphTensor t = tensors[i];
            if (t.IsConstant || t.IsVariable || t.SizeBytes == 0)
            {
                continue;
            }
            int first = int.MaxValue;
            int last = -1;
            if (t.Producer >= 0)
            {
                first = t.Producer;
                last = t.Producer;
            }
            ImmutableArray<int> consumers = t.Consumers;
            for (int c = 0; c < consumers.Length; c++)
            {
                first = Math.Min(first, consumers[c]);
                last = Math.Max(last, consumers[c]);
            }
            if (t.IsGraphInput)
            {
                first = 0;
                last = Math.Max(last, 0);
            }
            if (t.IsGraphOutput)
            {
                last = lastOp;
                first = Math.Min(first, lastOp);
            }
            if (last < 0)
            {
                continue; // neither produced, read, nor a graph input/output
            }
            requests.Add(new BufferRequest(i, t.SizeBytes, first, last));
        }
        return [.. requests];
    }

    /// <summary>Plans the arena head of <paramref name="graph"/>; variables go to
    /// <see cref="ArenaPlan.PersistentBytes"/>.</summary>
    public static ArenaPlan Plan(OpGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        long persistent = 0;
        ImmutableArray<GraphTensor> tensors = graph.Tensors;
        for (int i = 0; i < tensors.Length; i++)
        {
            if (tensors[i].IsVariable)
            {
                persistent += AlignUp(tensors[i].SizeBytes);
            }
        }
        return Plan(Lifetimes(graph), persistent);
    }

    /// <summary>Plans bare requests (ids must be distinct; sizes non-negative; 0 ≤ first ≤ last).</summary>
    public static ArenaPlan Plan(IReadOnlyList<BufferRequest> requests) => Plan(requests, 0);

    private static ArenaPlan Plan(IReadOnlyList<BufferRequest> requests, long persistentBytes)
    {
        ArgumentNullException.ThrowIfNull(requests);
        int n = requests.Count;
        var req = new BufferRequest[n];
        var aligned = new long[n];
        var ids = new HashSet<int>();
        int opCount = 0;
        long naive = 0;
        for (int i = 0; i < n; i++)
        {
            BufferRequest r = requests[i];
            if (r.SizeBytes < 0 || r.FirstOp < 0 || r.LastOp < r.FirstOp)
            {
                throw new ArgumentException(
                    $"buffer {r.Id}: size {r.SizeBytes} and lifetime [{r.FirstOp}, {r.LastOp}] are not valid", nameof(requests));
            }
            if (!ids.Add(r.Id))
            {
                throw new ArgumentException($"buffer id {r.Id} appears twice", nameof(requests));
            }
            req[i] = r;
            aligned[i] = AlignUp(r.SizeBytes);
            naive += aligned[i];
            opCount = Math.Max(opCount, r.LastOp + 1);
        }

        // Lower bound: aligned bytes live at each operator (difference array over lifetimes).
        var delta = new long[opCount + 1];
        for (int i = 0; i < n; i++)
        {
            delta[req[i].FirstOp] += aligned[i];
            delta[req[i].LastOp + 1] -= aligned[i];
        }
        var live = new long[opCount];
        long running = 0, lowerBound = 0;
        for (int op = 0; op < opCount; op++)
        {
            running += delta[op];
            live[op] = running;
            lowerBound = Math.Max(lowerBound, running);
        }

        // Placement order: largest first, then earlier first use, then smaller id.
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (a, b) =>
        {
            int c = aligned[b].CompareTo(aligned[a]);
            if (c != 0)
            {
                return c;
            }
            c = req[a].FirstOp.CompareTo(req[b].FirstOp);
            return c != 0 ? c : req[a].Id.CompareTo(req[b].Id);
        });

        // First fit among the placed buffers whose lifetime meets the new one's, in offset order: the lowest
        // offset where the new buffer fits below the next of them (else above the highest end). Only those
        // buffers are visited (LifetimeIndex), so a chain of n operators costs O(n log n), not O(n²).
        var offsets = new long[n];
        var index = new LifetimeIndex(opCount, n);
        var meeting = new List<int>();
        long[] keys = [];
        long peak = 0;
        for (int k = 0; k < n; k++)
        {
            int i = order[k];
            long size = aligned[i];
            meeting.Clear();
            index.Collect(req[i].FirstOp, req[i].LastOp, meeting);
            if (keys.Length < meeting.Count)
            {
                keys = new long[Math.Max(meeting.Count, 2 * keys.Length)];
            }
            Span<int> near = CollectionsMarshal.AsSpan(meeting);
            for (int p = 0; p < near.Length; p++)
            {
                keys[p] = offsets[near[p]];
            }
            keys.AsSpan(0, near.Length).Sort(near);
            long candidate = 0;
            for (int p = 0; p < near.Length; p++)
            {
                int j = near[p];
                if (offsets[j] >= candidate + size)
                {
                    break; // the gap below j fits
                }
                candidate = Math.Max(candidate, offsets[j] + aligned[j]);
            }
            offsets[i] = candidate;
            peak = Math.Max(peak, candidate + size);
            index.Add(i, req[i].FirstOp, req[i].LastOp);
        }

        var buffers = new ArenaBuffer[n];
        for (int i = 0; i < n; i++)
        {
            buffers[i] = new ArenaBuffer(req[i].Id, req[i].SizeBytes, aligned[i], req[i].FirstOp, req[i].LastOp, offsets[i]);
        }
        return new ArenaPlan(ImmutableCollectionsMarshal.AsImmutableArray(buffers), peak, naive, lowerBound,
            ImmutableCollectionsMarshal.AsImmutableArray(live), persistentBytes);
    }

    /// <summary>
    /// Placed buffers indexed by lifetime, so that the buffers whose lifetime meets [first, last] are found without
    /// looking at the others: those live at <c>first</c> come from a segment tree over the operators (each lifetime
    /// is stored in the O(log ops) nodes that cover it; the nodes holding a point are its leaf's ancestors), those
    /// that start later, up to <c>last</c>, from a list per first operator. The two sets are disjoint. Memory is
    /// O(ops + buffers · log ops): nothing grows with the square of the graph.
    /// </summary>
    private sealed class LifetimeIndex
    {
        private readonly int _leaves;
        private readonly int[] _nodeHead;
        private readonly int[] _startHead;
        private readonly int[] _startNext;
        private int[] _entryBuffer = new int[16];
        private int[] _entryNext = new int[16];
        private int _entries;

        public LifetimeIndex(int opCount, int bufferCount)
        {
            _leaves = 1;
            while (_leaves < opCount)
            {
                _leaves <<= 1;
            }
            _nodeHead = new int[2 * _leaves];
            Array.Fill(_nodeHead, -1);
            _startHead = new int[Math.Max(opCount, 1)];
            Array.Fill(_startHead, -1);
            _startNext = new int[bufferCount];
        }

        /// <summary>Adds buffer <paramref name="id"/>, live from <paramref name="first"/> to <paramref name="last"/> inclusive.</summary>
        public void Add(int id, int first, int last)
        {
            _startNext[id] = _startHead[first];
            _startHead[first] = id;
            int lo = first + _leaves, hi = last + _leaves + 1;
            while (lo < hi)
            {
                if ((lo & 1) != 0)
                {
                    Store(lo++, id);
                }
                if ((hi & 1) != 0)
                {
                    Store(--hi, id);
                }
                lo >>= 1;
                hi >>= 1;
            }
        }

        /// <summary>Appends every added buffer whose lifetime meets [<paramref name="first"/>, <paramref name="last"/>], once.</summary>
        public void Collect(int first, int last, List<int> into)
        {
            for (int node = first + _leaves; node >= 1; node >>= 1)
            {
                for (int e = _nodeHead[node]; e >= 0; e = _entryNext[e])
                {
                    into.Add(_entryBuffer[e]);
                }
            }
            for (int op = first + 1; op <= last; op++)
            {
                for (int id = _startHead[op]; id >= 0; id = _startNext[id])
                {
                    into.Add(id);
                }
            }
        }

        private void Store(int node, int id)
        {
            if (_entries == _entryBuffer.Length)
            {
                Array.Resize(ref _entryBuffer, 2 * _entries);
                Array.Resize(ref _entryNext, 2 * _entries);
            }
            _entryBuffer[_entries] = id;
            _entryNext[_entries] = _nodeHead[node];
            _nodeHead[node] = _entries++;
        }
    }
}
