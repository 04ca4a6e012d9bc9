package feedsearch.store;

/** A passage ready to store: its number within the post, its text and its vector. */
public record StoredPassage(int chunk, String text, float[] embedding) {
}
