import Foundation
import PhotoModel

/// Articles with their photo uses (caption and crop as used), saved as a compare-and-set on
/// their version.
public protocol ArticleStore: Sendable {
    /// An article with its uses and their photos' cards.
    func article(slug: String) async throws -> ArticleBundle?
    /// The articles the audience sees, newest first (by publication time, then update).
    func articles(limit: Int, audience: Audience) async throws -> [ArticleSummary]
    /// Saves an article with its uses (replacing them), as a compare-and-set on its version:
    /// `expectingVersion` nil creates it (`CatalogError.exists` when the slug is taken), a number
    /// updates it only while its version is still that (`CatalogError.conflict` otherwise).
    /// Returns the article as saved, with its id and new version.
    func saveArticle(_ article: Article, uses: [ArticleUse], expectingVersion: Int?) async throws -> Article
    /// The uses of a photo in articles, by slug and position.
    func uses(of sha256: String) async throws -> [PhotoUse]
    /// The first time after `date` at which a scheduled article becomes public, if any.
    func nextPublication(after date: Date) async throws -> Date?
}
