namespace PerfSage.IO;

/// <summary>The files a walk found and the folder links it did not follow.</summary>
/// <param name="Files">Matching files, in ordinal order of their paths within each folder.</param>
/// <param name="SkippedFolderLinks">Links to folders that were not followed (they can form cycles); only those
/// within the depth the walk goes into.</param>
public sealed record FileWalk(IReadOnlyList<string> Files, IReadOnlyList<string> SkippedFolderLinks);

/// <summary>
/// Lists the files under a folder without ever following a link to a folder: a link to its own parent would
/// otherwise make the walk endless. Links to files are followed (they are listed under the link's name). A folder
/// met twice under two names (a bind mount) is walked once.
/// </summary>
public static class FileWalker
{
    /// <summary>Walks <paramref name="root"/> and returns the files for which <paramref name="include"/> is true.</summary>
    /// <param name="root">The folder to walk.</param>
    /// <param name="include">Takes the file's path; true keeps it.</param>
    /// <param name="recurse">Whether to go into sub-folders.</param>
    public static FileWalk Walk(string root, Func<string, bool> include, bool recurse = true) =>
        Walk(root, include, recurse ? int.MaxValue : 0, skipHidden: false);

    /// <summary>Walks <paramref name="root"/> down to <paramref name="maxDepth"/> levels of sub-folders and returns
    /// the files for which <paramref name="include"/> is true.</summary>
    /// <param name="root">The folder to walk.</param>
    /// <param name="include">Takes the file's path; true keeps it.</param>
    /// <param name="maxDepth">How many levels of sub-folders to go into: 0 lists <paramref name="root"/> only.</param>
    /// <param name="skipHidden">Leave out files, folders and links whose name starts with a dot, as a shell's
    /// wildcards do (they are neither listed, walked nor reported).</param>
    public static FileWalk Walk(string root, Func<string, bool> include, int maxDepth, bool skipHidden)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(include);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDepth);
        var files = new List<string>();
        var skipped = new List<string>();
        var seen = new HashSet<(ulong, ulong)>();
        var pending = new Stack<(string Folder, int Depth)>();
        pending.Push((root, 0));
        var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = 0, ReturnSpecialDirectories = false };
        while (pending.Count > 0)
        {
            (string folder, int depth) = pending.Pop();
            FileStatus folderStatus = FileProbe.Stat(folder, followLinks: true);
            if (folderStatus.HasIdentity && !seen.Add((folderStatus.Device, folderStatus.Inode)))
            {
                continue;
            }
            var entries = new List<FileSystemInfo>(new DirectoryInfo(folder).EnumerateFileSystemInfos("*", options));
            entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            var subfolders = new List<string>();
            foreach (FileSystemInfo entry in entries)
            {
                if (skipHidden && entry.Name.StartsWith('.'))
                {
                    continue;
                }
                string path = Path.Combine(folder, entry.Name);
                FileStatus own = FileProbe.Stat(path, followLinks: false);
                if (own.Kind == FileKind.SymbolicLink)
                {
                    FileStatus target = FileProbe.Stat(path, followLinks: true);
                    if (target.Kind == FileKind.Directory)
                    {
                        if (depth < maxDepth)
                        {
                            skipped.Add(path); // only links the walk would otherwise have gone into
                        }
                    }
                    else if (include(path))
                    {
                        files.Add(path);
                    }
                    continue;
                }
                if (own.Kind == FileKind.Directory)
                {
                    if (depth < maxDepth)
                    {
                        subfolders.Add(path);
                    }
                    continue;
                }
                if (include(path))
                {
                    files.Add(path);
                }
            }
            // Push in reverse so that sub-folders are walked in ordinal order.
            for (int i = subfolders.Count - 1; i >= 0; i--)
            {
                pending.Push((subfolders[i], depth + 1));
            }
        }
        return new FileWalk(files, skipped);
    }
}
