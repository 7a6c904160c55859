using System.Buffers.Binary;

namespace PerfSage.Tflite.Tests.Writer;

/// <summary>
/// A few lines of FlatBuffers decoding written from the format description (root uoffset, vtable of
/// uint16 field offsets, uoffset-referenced vectors), independent of the project's reader, so tests can
/// look at raw fields the object model resolves away (e.g. <c>deprecated_builtin_code</c>).
/// </summary>
public readonly struct RawFlatBuffer(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;

    /// <summary>Position of the root table.</summary>
    public int Root => Deref(0);

    /// <summary>Position of field <paramref name="id"/> of the table at <paramref name="table"/>, or -1 when absent.</summary>
    public int Field(int table, int id)
    {
        int vtable = table - BinaryPrimitives.ReadInt32LittleEndian(Bytes.AsSpan(table));
        int vtableSize = BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan(vtable));
        int slot = 4 + 2 * id;
        if (slot + 2 > vtableSize)
        {
            return -1;
        }
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan(vtable + slot));
        return offset == 0 ? -1 : table + offset;
    }

    /// <summary>Follows the uoffset stored at <paramref name="position"/>.</summary>
    public int Deref(int position) => position + (int)BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(position));

    public int VectorLength(int table, int id) => Field(table, id) is var f and >= 0
        ? (int)BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(Deref(f))) : 0;

    /// <summary>Position of the first element of vector field <paramref name="id"/>.</summary>
    public int VectorStart(int table, int id) => Deref(Field(table, id)) + 4;

    /// <summary>The table that element <paramref name="index"/> of a vector of tables points to.</summary>
    public int TableAt(int table, int id, int index) => Deref(VectorStart(table, id) + 4 * index);

    public int ReadInt(int table, int id, int defaultValue) =>
        Field(table, id) is var f and >= 0 ? BinaryPrimitives.ReadInt32LittleEndian(Bytes.AsSpan(f)) : defaultValue;

    public uint ReadUInt(int table, int id, uint defaultValue) =>
        Field(table, id) is var f and >= 0 ? BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(f)) : defaultValue;

    public sbyte ReadSByte(int table, int id, sbyte defaultValue) =>
        Field(table, id) is var f and >= 0 ? (sbyte)Bytes[f] : defaultValue;
}
