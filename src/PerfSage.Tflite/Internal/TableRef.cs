namespace PerfSage.Tflite.Internal;

/// <summary>A table whose vtable and inline region were checked against the buffer.</summary>
/// <param name="Position">Byte offset of the table (its <c>soffset</c> to the vtable).</param>
/// <param name="VTable">Byte offset of its vtable.</param>
/// <param name="VTableSize">Size of the vtable in bytes (4 + 2 per field slot).</param>
/// <param name="InlineSize">Size of the table's inline region in bytes.</param>
internal readonly record struct TableRef(int Position, int VTable, int VTableSize, int InlineSize);

/// <summary>A vector whose length prefix and elements were checked against the buffer.</summary>
/// <param name="LengthPosition">Byte offset of the 32-bit length.</param>
/// <param name="Count">Number of elements.</param>
/// <param name="ElementSize">Bytes per element.</param>
internal readonly record struct VectorRef(int LengthPosition, int Count, int ElementSize)
{
    /// <summary>Byte offset of the first element.</summary>
    public int Start => LengthPosition + 4;

    public int ByteLength => Count * ElementSize;

    /// <summary>Byte offset of element <paramref name="index"/>.</summary>
    public int ElementPosition(int index) => Start + index * ElementSize;
}
