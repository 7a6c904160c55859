using System.Collections.Immutable;

namespace PerfSage.Graph;

/// <summary>A buffer the arena planner must place: a tensor (or any id) of a size, live from operator
/// <paramref name="FirstOp"/> to operator <paramref name="LastOp"/> inclusive.</summary>
public readonly record struct BufferRequest(int Id, long SizeBytes, int FirstOp, int LastOp);

/// <summary>A placed buffer.</summary>
/// <param name="Id">The request id (the tensor id for graph plans).</param>
/// <param name="SizeBytes">The requested size.</param>
/// <param name="AlignedBytes">The footprint: size rounded up to <see cref="ArenaPlanner.Alignment"/>.</param>
/// <param name="FirstOp">First operator the buffer is live at.</param>
/// <param name="LastOp">Last operator the buffer is live at.</param>
/// <param name="Offset">Byte offset in the arena head (a multiple of the alignment).</param>
public readonly record struct ArenaBuffer(int Id, long SizeBytes, long AlignedBytes, int FirstOp, int LastOp, long Offset)
{
    /// <summary>One past the last byte of the footprint.</summary>
    public long End => Offset + AlignedBytes;
}

/// <summary>
/// The result of <see cref="ArenaPlanner"/>: where each non-persistent buffer sits in the arena head and
/// how large the head must be, with two references: the naive size (every buffer its own space) and the
/// lower bound no plan can beat (the most bytes live at any one operator).
/// </summary>
public sealed class ArenaPlan
{
    private readonly Dictionary<int, int> _indexById;

    internal ArenaPlan(ImmutableArray<ArenaBuffer> buffers, long peakBytes, long naiveBytes, long lowerBoundBytes,
        ImmutableArray<long> liveBytesPerOp, long persistentBytes)
    {
        Buffers = buffers;
        PeakBytes = peakBytes;
        NaiveBytes = naiveBytes;
        LowerBoundBytes = lowerBoundBytes;
        LiveBytesPerOp = liveBytesPerOp;
        PersistentBytes = persistentBytes;
        _indexById = new Dictionary<int, int>(buffers.Length);
        for (int i = 0; i < buffers.Length; i++)
        {
            _indexById[buffers[i].Id] = i;
        }
    }

    /// <summary>The placed buffers, in the order they were requested (for graphs: ascending tensor id).</summary>
    public ImmutableArray<ArenaBuffer> Buffers { get; }

    /// <summary>Arena head size: the high-water mark of the placement (aligned footprints).</summary>
    public long PeakBytes { get; }

    /// <summary>Sum of all aligned footprints (no reuse at all).</summary>
    public long NaiveBytes { get; }

    /// <summary>Largest sum of aligned footprints live at one operator: no placement can be smaller.</summary>
    public long LowerBoundBytes { get; }

    /// <summary>Aligned bytes live at each operator.</summary>
    public ImmutableArray<long> LiveBytesPerOp { get; }

    /// <summary>Variable (state) tensors: kept for the whole run, outside the head (TFLM's persistent tail),
    /// aligned footprints summed. 0 for plans of bare requests.</summary>
    public long PersistentBytes { get; }

    /// <summary>Head plus persistent variables.</summary>
    public long TotalBytes => PeakBytes + PersistentBytes;

    /// <summary>The offset of buffer <paramref name="id"/>, or -1 when it is not in the plan (constants,
    /// variables, unused tensors).</summary>
    public long OffsetOf(int id) => _indexById.TryGetValue(id, out int i) ? Buffers[i].Offset : -1;

    /// <summary>The placed buffer <paramref name="id"/>, if it is in the plan.</summary>
    public bool TryGetBuffer(int id, out ArenaBuffer buffer)
    {
        if (_indexById.TryGetValue(id, out int i))
        {
            buffer = Buffers[i];
            return true;
        }
        buffer = default;
        return false;
    }
}
