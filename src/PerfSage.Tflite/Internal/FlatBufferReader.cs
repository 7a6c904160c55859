using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace PerfSage.Tflite.Internal;

/// <summary>
/// Checked reads of FlatBuffers primitives over a span (format: flatbuffers.dev "internals").
/// Nothing is trusted: every uoffset is followed only after checking that it is non-zero and
/// lands inside the buffer, every table's soffset, vtable and inline region are checked before a
/// field is read, every field must sit inside its table's inline region, and every vector's
/// declared length must fit in the bytes that follow it. uoffsets are unsigned and non-zero, so
/// each one moves strictly forward: no chain of offsets can loop. Objects reached through
/// several offsets (a DAG) would be decoded once per path, so every table and vector opened is
/// charged against a budget proportional to the file size; a file whose offsets reach more data
/// than it holds is rejected before it can make the reader allocate or work without bound.
/// </summary>
internal ref struct FlatBufferReader
{
    /// <summary>Fixed charge per table on top of its inline size: the decoded object costs more
    /// than its bytes. A real table is at least 4 bytes plus the 4-byte offset that reaches it,
    /// so a file without shared objects spends at most 2.5 times its size.</summary>
    private const int TableCharge = 12;

    private readonly ReadOnlySpan<byte> _data;
    private readonly string _source;
    private long _budget;

    public FlatBufferReader(ReadOnlySpan<byte> data, string source)
    {
        _data = data;
        _source = source;
        _budget = 4L * data.Length + 65_536;
        Path = new FieldPath();
    }

    /// <summary>Where the reader is, for error messages.</summary>
    public FieldPath Path { get; }

    public readonly int Length => _data.Length;

    /// <summary>Throws the reader's one exception, naming the current path plus <paramref name="leaf"/>.</summary>
    [DoesNotReturn]
    public readonly void Fail(string? leaf, int leafIndex, long byteOffset, string reason) =>
        TfliteThrowHelper.ThrowFormat(_source, Path.Format(leaf, leafIndex), byteOffset, reason);

    /// <summary>Checks the 8-byte header of a file of <paramref name="fileLength"/> bytes before the rest is read:
    /// the file identifier, then a root offset that is 4-byte aligned and lands inside the file after the header.
    /// The same messages as <see cref="OpenRoot"/>, so a file refused here reads as one refused there.</summary>
    public static void CheckHeader(ReadOnlySpan<byte> header, long fileLength, ReadOnlySpan<byte> identifier, string source)
    {
        if (fileLength < 8 || header.Length < 8)
        {
            TfliteThrowHelper.ThrowFormat(source, "<header>", 0,
                $"the file is {Math.Min(fileLength, header.Length)} bytes, shorter than a flatbuffer header (8 bytes)");
        }
        if (!header.Slice(4, 4).SequenceEqual(identifier))
        {
            TfliteThrowHelper.ThrowFormat(source, "<file_identifier>", 4,
                // The bytes found are not quoted: the file may be anything (a key, a password file).
                $"no \"{Encoding.ASCII.GetString(identifier)}\" file identifier at bytes 4..8: not a TFLite model");
        }
        uint root = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (root == 0)
        {
            TfliteThrowHelper.ThrowFormat(source, "<root>", 0, "offset is 0 (points at itself)");
        }
        if (root > fileLength - 4)
        {
            TfliteThrowHelper.ThrowFormat(source, "<root>", 0, $"offset {root} points past the end of the {fileLength}-byte file");
        }
        if (root < 8 || (root & 3) != 0)
        {
            TfliteThrowHelper.ThrowFormat(source, "<root>", 0,
                $"root table offset {root} is not a 4-byte aligned position after the 8-byte header");
        }
    }

    /// <summary>Checks the header (root offset, <c>TFL3</c> identifier) and opens the root table.</summary>
    public TableRef OpenRoot(ReadOnlySpan<byte> identifier)
    {
        if (_data.Length < 8)
        {
            Fail("<header>", -1, 0, $"the file is {_data.Length} bytes, shorter than a flatbuffer header (8 bytes)");
        }
        if (!_data.Slice(4, 4).SequenceEqual(identifier))
        {
            Fail("<file_identifier>", -1, 4,
                // The bytes found are not quoted: the file may be anything (a key, a password file).
                $"no \"{Encoding.ASCII.GetString(identifier)}\" file identifier at bytes 4..8: not a TFLite model");
        }
        int root = Follow(0, "<root>", -1);
        return OpenTable(root, "<root>", -1);
    }

    // ---- tables ----------------------------------------------------------------------------

    /// <summary>Opens the table at <paramref name="position"/> (already known to have 4 bytes).</summary>
    public TableRef OpenTable(int position, string? leaf, int leafIndex)
    {
        if ((position & 3) != 0)
        {
            Fail(leaf, leafIndex, position, "table is not 4-byte aligned");
        }
        int soffset = ReadInt32(position);
        long vtable = (long)position - soffset;
        if (vtable < 0 || vtable > _data.Length - 4)
        {
            Fail(leaf, leafIndex, position, $"vtable offset {soffset} points outside the file");
        }
        int vt = (int)vtable;
        if ((vt & 1) != 0)
        {
            Fail(leaf, leafIndex, vt, "vtable is not 2-byte aligned");
        }
        int vtableSize = ReadUInt16(vt);
        int inlineSize = ReadUInt16(vt + 2);
        if (vtableSize < 4 || (vtableSize & 1) != 0 || (long)vt + vtableSize > _data.Length)
        {
            Fail(leaf, leafIndex, vt, $"vtable size {vtableSize} is invalid or runs past the end of the file");
        }
        if (inlineSize < 4 || (long)position + inlineSize > _data.Length)
        {
            Fail(leaf, leafIndex, vt + 2, $"table size {inlineSize} is invalid or runs past the end of the file");
        }
        Charge(inlineSize + TableCharge, position);
        return new TableRef(position, vt, vtableSize, inlineSize);
    }

    /// <summary>Byte offset of field <paramref name="id"/> of <paramref name="size"/> bytes, or 0 when absent.</summary>
    public readonly int FieldPosition(in TableRef table, int id, int size, string leaf)
    {
        int slot = 4 + 2 * id;
        if (slot + 2 > table.VTableSize)
        {
            return 0; // written by an older schema: the field is absent
        }
        int fieldOffset = ReadUInt16(table.VTable + slot);
        if (fieldOffset == 0)
        {
            return 0;
        }
        if (fieldOffset < 4 || fieldOffset + size > table.InlineSize)
        {
            Fail(leaf, -1, table.VTable + slot,
                $"field offset {fieldOffset} (+{size} bytes) lies outside the table's {table.InlineSize}-byte inline region");
        }
        int position = table.Position + fieldOffset;
        if ((position & (size - 1)) != 0)
        {
            Fail(leaf, -1, position, $"{size}-byte field is not aligned to {size} bytes");
        }
        return position;
    }

    // ---- scalars -------------------------------------------------------------------------

    public readonly byte GetByte(in TableRef table, int id, byte defaultValue, string leaf)
    {
        int p = FieldPosition(table, id, 1, leaf);
        return p == 0 ? defaultValue : _data[p];
    }

    public readonly sbyte GetSByte(in TableRef table, int id, sbyte defaultValue, string leaf)
    {
        int p = FieldPosition(table, id, 1, leaf);
        return p == 0 ? defaultValue : unchecked((sbyte)_data[p]);
    }

    /// <summary>A bool field; bytes other than 0 and 1 are rejected (the format writes only these).</summary>
    public readonly bool GetBool(in TableRef table, int id, bool defaultValue, string leaf)
    {
        int p = FieldPosition(table, id, 1, leaf);
        if (p == 0)
        {
            return defaultValue;
        }
        byte value = _data[p];
        if (value > 1)
        {
            Fail(leaf, -1, p, $"bool field holds {value}");
        }
        return value == 1;
    }

    public readonly int GetInt32(in TableRef table, int id, int defaultValue, string leaf)
    {
        int p = FieldPosition(table, id, 4, leaf);
        return p == 0 ? defaultValue : ReadInt32(p);
    }

    public readonly uint GetUInt32(in TableRef table, int id, uint defaultValue, string leaf)
    {
        int p = FieldPosition(table, id, 4, leaf);
        return p == 0 ? defaultValue : BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(p, 4));
    }

    public readonly float GetFloat(in TableRef table, int id, float defaultValue, string leaf)
    {
        int p = FieldPosition(table, id, 4, leaf);
        return p == 0 ? defaultValue : BinaryPrimitives.ReadSingleLittleEndian(_data.Slice(p, 4));
    }

    public readonly ulong GetUInt64(in TableRef table, int id, ulong defaultValue, string leaf)
    {
        int p = FieldPosition(table, id, 8, leaf);
        return p == 0 ? defaultValue : BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(p, 8));
    }

    // ---- offsets: sub-tables, vectors, strings -----------------------------------------

    /// <summary>Opens the sub-table in field <paramref name="id"/>; false when absent.</summary>
    public bool TryGetTable(in TableRef table, int id, string leaf, out TableRef child)
    {
        int p = FieldPosition(table, id, 4, leaf);
        if (p == 0)
        {
            child = default;
            return false;
        }
        child = OpenTable(Follow(p, leaf, -1), leaf, -1);
        return true;
    }

    /// <summary>Opens the vector in field <paramref name="id"/>; false when absent.</summary>
    public bool TryGetVector(in TableRef table, int id, int elementSize, string leaf, out VectorRef vector)
    {
        int p = FieldPosition(table, id, 4, leaf);
        if (p == 0)
        {
            vector = default;
            return false;
        }
        vector = OpenVector(Follow(p, leaf, -1), elementSize, leaf, -1);
        return true;
    }

    /// <summary>The string in field <paramref name="id"/>, or null when absent.</summary>
    public string? GetString(in TableRef table, int id, string leaf)
    {
        int p = FieldPosition(table, id, 4, leaf);
        return p == 0 ? null : ReadString(Follow(p, leaf, -1), leaf, -1);
    }

    /// <summary>The table that element <paramref name="index"/> of a vector of tables points to.</summary>
    public TableRef TableAt(in VectorRef vector, int index, string? leaf = null)
    {
        int target = Follow(vector.ElementPosition(index), leaf, -1);
        return OpenTable(target, leaf, -1);
    }

    /// <summary>The int32 vector in field <paramref name="id"/> (empty when absent).</summary>
    public int[] GetInt32Array(in TableRef table, int id, string leaf) =>
        TryGetVector(table, id, 4, leaf, out VectorRef v) ? ToInt32Array(v) : [];

    public float[] GetFloatArray(in TableRef table, int id, string leaf)
    {
        if (!TryGetVector(table, id, 4, leaf, out VectorRef v) || v.Count == 0)
        {
            return [];
        }
        ReadOnlySpan<byte> bytes = _data.Slice(v.Start, v.ByteLength);
        if (BitConverter.IsLittleEndian)
        {
            return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        }
        var values = new float[v.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(4 * i, 4));
        }
        return values;
    }

    public long[] GetInt64Array(in TableRef table, int id, string leaf)
    {
        if (!TryGetVector(table, id, 8, leaf, out VectorRef v) || v.Count == 0)
        {
            return [];
        }
        ReadOnlySpan<byte> bytes = _data.Slice(v.Start, v.ByteLength);
        if (BitConverter.IsLittleEndian)
        {
            return MemoryMarshal.Cast<byte, long>(bytes).ToArray();
        }
        var values = new long[v.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes.Slice(8 * i, 8));
        }
        return values;
    }

    public readonly int[] ToInt32Array(in VectorRef v)
    {
        if (v.Count == 0)
        {
            return [];
        }
        ReadOnlySpan<byte> bytes = _data.Slice(v.Start, v.ByteLength);
        if (BitConverter.IsLittleEndian)
        {
            return MemoryMarshal.Cast<byte, int>(bytes).ToArray();
        }
        var values = new int[v.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.Slice(4 * i, 4));
        }
        return values;
    }

    /// <summary>Element <paramref name="index"/> of a vector of 4-byte integers.</summary>
    public readonly int Int32At(in VectorRef vector, int index) => ReadInt32(vector.ElementPosition(index));

    /// <summary>Element <paramref name="index"/> of a vector of bytes.</summary>
    public readonly byte ByteAt(in VectorRef vector, int index) => _data[vector.Start + index];

    // ---- raw, checked ----------------------------------------------------------------

    /// <summary>Follows the uoffset stored at <paramref name="at"/> (4 bytes known to be inside):
    /// the target must be forward (non-zero) and leave 4 bytes to read.</summary>
    private readonly int Follow(int at, string? leaf, int leafIndex)
    {
        uint offset = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(at, 4));
        if (offset == 0)
        {
            Fail(leaf, leafIndex, at, "offset is 0 (points at itself)");
        }
        long target = (long)at + offset;
        if (target > _data.Length - 4)
        {
            Fail(leaf, leafIndex, at, $"offset {offset} points past the end of the {_data.Length}-byte file");
        }
        return (int)target;
    }

    private VectorRef OpenVector(int at, int elementSize, string? leaf, int leafIndex)
    {
        if ((at & 3) != 0)
        {
            Fail(leaf, leafIndex, at, "vector length is not 4-byte aligned");
        }
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(at, 4));
        long available = _data.Length - (at + 4L);
        if ((ulong)count * (ulong)elementSize > (ulong)available)
        {
            Fail(leaf, leafIndex, at,
                $"vector of {count} elements of {elementSize} bytes runs past the end of the file ({available} bytes follow)");
        }
        if (elementSize == 8 && ((at + 4) & 7) != 0)
        {
            Fail(leaf, leafIndex, at + 4, "8-byte vector elements are not 8-byte aligned");
        }
        Charge(4 + (long)count * elementSize, at);
        return new VectorRef(at, (int)count, elementSize);
    }

    private string ReadString(int at, string? leaf, int leafIndex)
    {
        VectorRef v = OpenVector(at, 1, leaf, leafIndex);
        int end = v.Start + v.Count;
        if (end >= _data.Length || _data[end] != 0)
        {
            Fail(leaf, leafIndex, at, $"string of {v.Count} bytes is not NUL-terminated");
        }
        ReadOnlySpan<byte> utf8 = _data.Slice(v.Start, v.Count);
        if (!Utf8.IsValid(utf8))
        {
            Fail(leaf, leafIndex, at, "string is not valid UTF-8");
        }
        return v.Count == 0 ? string.Empty : Encoding.UTF8.GetString(utf8);
    }

    private void Charge(long bytes, int at)
    {
        _budget -= bytes;
        if (_budget < 0)
        {
            Fail(null, -1, at,
                "the file's offsets reach more data than the file holds (objects shared by many offsets); refusing to expand it");
        }
    }

    private readonly int ReadInt32(int at) => BinaryPrimitives.ReadInt32LittleEndian(_data.Slice(at, 4));

    private readonly int ReadUInt16(int at) => BinaryPrimitives.ReadUInt16LittleEndian(_data.Slice(at, 2));
}
