using System.Text;

namespace PerfSage.Tflite.Internal;

/// <summary>
/// The stack of table fields the reader is inside (<c>subgraphs[0].operators[12]</c>), kept as
/// name/index pairs so that descending costs two array writes; the text is only built when an
/// error is reported.
/// </summary>
internal sealed class FieldPath
{
    private const int NoIndex = -1;

    private string[] _names = new string[12];
    private int[] _indices = new int[12];
    private int _depth;

    public void Push(string name, int index = NoIndex)
    {
        if (_depth == _names.Length)
        {
            Array.Resize(ref _names, _depth * 2);
            Array.Resize(ref _indices, _depth * 2);
        }
        _names[_depth] = name;
        _indices[_depth] = index;
        _depth++;
    }

    /// <summary>Moves the innermost entry to element <paramref name="index"/> of the same vector.</summary>
    public void SetIndex(int index) => _indices[_depth - 1] = index;

    public void Pop() => _depth--;

    /// <summary>The path with an optional leaf field (and index) appended.</summary>
    public string Format(string? leaf = null, int leafIndex = NoIndex)
    {
        var text = new StringBuilder(64);
        for (int i = 0; i < _depth; i++)
        {
            Append(text, _names[i], _indices[i]);
        }
        if (leaf is not null)
        {
            Append(text, leaf, leafIndex);
        }
        return text.Length == 0 ? "<root>" : text.ToString();
    }

    private static void Append(StringBuilder text, string name, int index)
    {
        if (text.Length > 0)
        {
            text.Append('.');
        }
        text.Append(name);
        if (index >= 0)
        {
            text.Append('[').Append(index).Append(']');
        }
    }
}
