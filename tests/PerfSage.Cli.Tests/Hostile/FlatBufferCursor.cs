using System.Buffers.Binary;

namespace PerfSage.Cli.Tests.Hostile;

/// <summary>
/// Finds fields inside a well-formed FlatBuffer so that a mutation can overwrite exactly one of them in place
/// (an index, a vector length, an offset, a vtable entry). It reads the layout rules only: a table starts with a
/// signed offset back to its vtable; the vtable holds its own size, the table's size and one 16-bit offset per
/// field (0: absent); an offset field holds an unsigned distance forward to its target; a vector starts with its
/// element count. Every read is bounds-checked and a lookup that leaves the buffer answers -1: the cursor walks the
/// unmutated seed models, and a caller treats -1 as "this mutation does not apply here".
/// </summary>
internal sealed class FlatBufferCursor(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;

    /// <summary>The root table's position (the offset at byte 0).</summary>
    public int Root => Deref(0);

    /// <summary>The absolute position of field <paramref name="id"/> of the table at <paramref name="table"/>,
    /// or -1 when the field is absent or the layout leaves the buffer.</summary>
    public int Field(int table, int id)
    {
        int vtable = VTable(table);
        if (vtable < 0)
        {
            return -1;
        }
        int vtableSize = ReadUInt16(vtable);
        int entry = vtable + 4 + (2 * id);
        if (vtableSize < 4 + (2 * (id + 1)) || entry + 2 > Bytes.Length)
        {
            return -1;
        }
        int offset = ReadUInt16(entry);
        return offset == 0 || table + offset >= Bytes.Length ? -1 : table + offset;
    }

    /// <summary>The position of the vtable of the table at <paramref name="table"/>, or -1.</summary>
    public int VTable(int table)
    {
        if (table < 0 || table + 4 > Bytes.Length)
        {
            return -1;
        }
        long vtable = table - (long)BinaryPrimitives.ReadInt32LittleEndian(Bytes.AsSpan(table));
        return vtable < 0 || vtable + 4 > Bytes.Length ? -1 : (int)vtable;
    }

    /// <summary>The target of the offset stored at <paramref name="position"/>, or -1.</summary>
    public int Deref(int position)
    {
        if (position < 0 || position + 4 > Bytes.Length)
        {
            return -1;
        }
        long target = position + (long)BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(position));
        return target >= Bytes.Length ? -1 : (int)target;
    }

    /// <summary>The sub-table, vector or string that field <paramref name="id"/> points to, or -1.</summary>
    public int Child(int table, int id)
    {
        int field = Field(table, id);
        return field < 0 ? -1 : Deref(field);
    }

    /// <summary>The element count of the vector at <paramref name="vector"/>, or 0 when it cannot be read.</summary>
    public int VectorCount(int vector)
    {
        if (vector < 0 || vector + 4 > Bytes.Length)
        {
            return 0;
        }
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(vector));
        return count > (uint)(Bytes.Length / 4) ? 0 : (int)count;
    }

    /// <summary>The position of element <paramref name="index"/> of a vector of <paramref name="elementSize"/>-byte
    /// elements, or -1.</summary>
    public int Element(int vector, int index, int elementSize)
    {
        if (vector < 0 || (uint)index >= (uint)VectorCount(vector))
        {
            return -1;
        }
        long position = vector + 4 + ((long)index * elementSize);
        return position + elementSize > Bytes.Length ? -1 : (int)position;
    }

    /// <summary>The table that element <paramref name="index"/> of a vector of tables points to, or -1.</summary>
    public int TableAt(int vector, int index)
    {
        int element = Element(vector, index, 4);
        return element < 0 ? -1 : Deref(element);
    }

    public int ReadUInt16(int position) => BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan(position));

    public int ReadInt32(int position) => BinaryPrimitives.ReadInt32LittleEndian(Bytes.AsSpan(position));

    public void WriteInt32(int position, int value) => BinaryPrimitives.WriteInt32LittleEndian(Bytes.AsSpan(position), value);

    public void WriteUInt32(int position, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Bytes.AsSpan(position), value);

    public void WriteUInt16(int position, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Bytes.AsSpan(position), value);
}
