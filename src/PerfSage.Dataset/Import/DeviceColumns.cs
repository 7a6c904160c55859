using System.Globalization;

namespace PerfSage.Dataset;

/// <summary>
/// How a latency table's device column names its batch size. The published tables (HELP's NAS-Bench-201 and
/// FBNet lists, HW-NAS-Bench) name a GPU run at batch N <c>&lt;device&gt;_&lt;N&gt;</c> (<c>1080ti_32</c>,
/// <c>titan_rtx_256</c>) and every other column is batch 1. Server CPU columns end in a model number
/// (<c>silver_4114</c>, <c>gold_6226</c>), so the rule is: a final <c>_N</c> is a batch only when N is a power
/// of two from 1 to <see cref="MaxBatch"/> (no CPU model number in those tables is one); otherwise batch 1.
/// </summary>
public static class DeviceColumns
{
    /// <summary>Largest batch a column name can ask for.</summary>
    public const int MaxBatch = 4096;

    /// <summary>The batch size <paramref name="column"/> was measured at.</summary>
    public static int Batch(string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        int underscore = column.LastIndexOf('_');
        if (underscore < 1 || underscore == column.Length - 1)
        {
            return 1;
        }
        ReadOnlySpan<char> digits = column.AsSpan(underscore + 1);
        if (digits[0] == '0' || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
        {
            return 1;
        }
        return n <= MaxBatch && (n & (n - 1)) == 0 ? n : 1;
    }
}
